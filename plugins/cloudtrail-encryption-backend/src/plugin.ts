import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { cloudTrailEncryptionPermissions } from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from '@trailguard/plugin-cloudtrail-encryption-node';
import { AccountQueries } from './actions/AccountQueries';
import { registerActions } from './actions/registerActions';
import {
  readNotifierSettings,
  RegressionNotifier,
} from './notifications/RegressionNotifier';
import {
  cloudTrailAccountResourceRef,
  cloudTrailAccountRules,
} from './permissions/rules';
import { AccountAccess, toResource } from './service/AccountAccess';
import { AccountAudit } from './service/AccountAudit';
import { AccountDirectory } from './service/AccountDirectory';
import { EstateService, estateMembers } from './service/EstateService';
import { createRouter } from './service/router';
import { ScanAccessReader } from './service/ScanAccessReader';
import { ScanService } from './service/ScanService';
import { ScanScheduler } from './service/ScanScheduler';
import { RescanSignals } from './signals/RescanSignals';
import { ReportStore } from './store/ReportStore';

/**
 * Scans the CloudTrail encryption of the accounts of the estate (the AWS
 * Organization, or the configured accounts), stores the reports and serves
 * them under /api/cloudtrail-encryption, each account being a permission
 * resource.
 *
 * @public
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
        auditor: coreServices.auditor,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
        instanceMetadata: coreServices.rootInstanceMetadata,
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
        // Owners hear of regressions; open pages hear of stored reports.
        const notifier = new RegressionNotifier({
          notifications: deps.notifications,
          directory,
          logger,
          settings: readNotifierSettings(
            config,
            (await deps.instanceMetadata.getInstalledPlugins()).some(
              p => p.pluginId === 'notifications',
            ),
          ),
        });
        const signals = new RescanSignals({ signals: deps.signals, logger });
        const scans = new ScanService({
          engine,
          store,
          estate,
          directory,
          logger,
          retentionDays,
          events: {
            rescanStarted: (accountId, runId) =>
              signals.rescanStarted(accountId, runId),
            reportStored: (before, after) => {
              signals.reportStored(after);
              notifier
                .reportChanged(before, after)
                .catch(error =>
                  logger.warn(
                    `Could not work out the notifications of account ${after.accountId}: ${error}`,
                  ),
                );
            },
            runFinished: (runId, outcomes) =>
              signals.runFinished(
                runId,
                outcomes.map(([accountId]) => accountId),
              ),
          },
        });
        // One audit for HTTP and actions: one ownership cache.
        const audit = new AccountAudit({
          auditor: deps.auditor,
          userInfo: deps.userInfo,
          directory,
        });
        // What the routes and the actions registry's actions both serve.
        const services = { store, access, directory, estate, scans, audit };
        registerActions(deps.actionsRegistry, new AccountQueries(services));

        const scanScheduler = ScanScheduler.fromConfig(config, {
          scheduler,
          logger,
          scans,
        });
        await scanScheduler.start();

        deps.httpRouter.use(
          createRouter({
            ...services,
            httpAuth: deps.httpAuth,
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
