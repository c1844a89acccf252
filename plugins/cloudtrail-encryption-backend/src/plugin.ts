import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { cloudTrailEncryptionPermissions } from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from '@trailguard/plugin-cloudtrail-encryption-node';
import {
  cloudTrailAccountResourceRef,
  cloudTrailAccountRules,
} from './permissions/rules';
import { AccountAccess, toResource } from './service/AccountAccess';
import { AccountDirectory } from './service/AccountDirectory';
import { EstateService, estateMembers } from './service/EstateService';
import { createRouter } from './service/router';
import { ScanAccessReader } from './service/ScanAccessReader';
import { ScanService } from './service/ScanService';
import { ScanScheduler } from './service/ScanScheduler';
import { ReportStore } from './store/ReportStore';

/**
 * Scans the CloudTrail encryption of the accounts of the estate (the AWS
 * Organization, or the configured accounts), stores the reports and serves
 * them under /api/cloudtrail-encryption, each account being a permission
 * resource.
 */
export const cloudTrailEncryptionPlugin = createBackendPlugin({
  pluginId: 'cloudtrail-encryption',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const { config, logger, scheduler } = deps;
        const section = config.getOptionalConfig('cloudtrailEncryption');

        const store = await ReportStore.create(deps.database);
        const {
          engine,
          clients,
          settings,
          estate: reader,
        } = createScanEngineFromConfig(config);
        deps.lifecycle.addShutdownHook(() => clients.destroy());

        const directory = new AccountDirectory({
          catalog: deps.catalog,
          auth: deps.auth,
          config,
          logger,
        });
        const estate = new EstateService({
          reader,
          store: store.estate,
          logger,
          mode:
            section?.getOptionalString('estate.source') === 'accounts'
              ? 'accounts'
              : 'organization',
          access: ScanAccessReader.fromConfig(config, {
            endpoint: settings.endpoint,
            logger,
          }),
        });

        deps.permissionsRegistry.addResourceType({
          resourceRef: cloudTrailAccountResourceRef,
          permissions: cloudTrailEncryptionPermissions,
          rules: Object.values(cloudTrailAccountRules),
          // Lets the permission framework resolve conditional decisions for
          // callers that pass an account id as resourceRef (other plugins).
          getResources: async refs => {
            const members = estateMembers((await estate.current()).estate);
            const catalog = await directory.accounts();
            return refs.map(ref => {
              const member = members.get(ref);
              return member
                ? toResource(ref, catalog.get(ref), member.membership)
                : undefined;
            });
          },
        });
        const access = new AccountAccess({
          permissions: deps.permissions,
          directory,
          applyConditions: createConditionAuthorizer(
            deps.permissionsRegistry.getPermissionRuleset(
              cloudTrailAccountResourceRef,
            ),
          ),
        });

        const retentionDays =
          section?.getOptionalNumber('archive.retentionDays') ?? 90;
        if (!(retentionDays >= 0)) {
          throw new Error(
            `cloudtrailEncryption.archive.retentionDays must be a number of days ≥ 0, got ${retentionDays}`,
          );
        }
        const scans = new ScanService({
          engine,
          store,
          estate,
          directory,
          logger,
          retentionDays,
        });

        const scanScheduler = ScanScheduler.fromConfig(config, {
          scheduler,
          logger,
          scans,
        });
        await scanScheduler.start();

        deps.httpRouter.use(
          createRouter({
            httpAuth: deps.httpAuth,
            store,
            access,
            directory,
            estate,
            scans,
            scanScheduler,
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
