import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type SchedulerServiceTaskScheduleDefinition,
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
import { ScanService } from './service/ScanService';
import { ShardRunner } from './service/ShardRunner';
import { ReportStore } from './store/ReportStore';

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { hours: 6 },
  timeout: { hours: 1 },
  initialDelay: { seconds: 15 },
};

const DEFAULT_NEW_ACCOUNTS_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 1 },
  timeout: { minutes: 30 },
  initialDelay: { seconds: 30 },
};

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

        const schedule = section?.has('schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              section.getConfig('schedule'),
            )
          : DEFAULT_SCHEDULE;
        const shardCount = section?.getOptionalNumber('schedule.shards') ?? 1;
        if (
          !Number.isInteger(shardCount) ||
          shardCount < 1 ||
          shardCount > 64
        ) {
          throw new Error(
            `cloudtrailEncryption.schedule.shards must be an integer from 1 to 64, got ${shardCount}`,
          );
        }
        // Each shard is its own global task: the scheduler runs each once per
        // period on whichever replica claims it, so no account is scanned
        // twice in a period. A replica already busy with as many shards as it
        // may run hands a claimed shard back (see ShardRunner) so that an idle
        // replica picks it up: replicas share the work.
        const shards = new ShardRunner({
          scheduler,
          logger,
          maxConcurrentShards:
            section?.getOptionalNumber('schedule.maxConcurrentShards') ?? 1,
        });
        const shardTaskIds: string[] = [];
        for (let index = 0; index < shardCount; index++) {
          const id =
            shardCount === 1
              ? 'cloudtrail-encryption-scan'
              : `cloudtrail-encryption-scan-${index + 1}-of-${shardCount}`;
          shardTaskIds.push(id);
          await scheduler.scheduleTask({
            ...schedule,
            id,
            scope: 'global',
            fn: shards.wrap(id, async () => {
              await scans.scanAll(
                'schedule',
                shardCount > 1 ? { index, count: shardCount } : undefined,
              );
            }),
          });
        }

        // Accounts that appear between full scans (or while the catalog is
        // still being ingested at start-up) get their first report quickly.
        const newAccountsSchedule = section?.has('newAccountsSchedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              section.getConfig('newAccountsSchedule'),
            )
          : DEFAULT_NEW_ACCOUNTS_SCHEDULE;
        await scheduler.scheduleTask({
          ...newAccountsSchedule,
          id: 'cloudtrail-encryption-scan-new-accounts',
          scope: 'global',
          fn: async () => {
            await scans.scanNewAccounts();
          },
        });

        deps.httpRouter.use(
          createRouter({
            httpAuth: deps.httpAuth,
            store,
            access,
            directory,
            estate,
            scans,
            triggerFullScan: async () => {
              const triggered: string[] = [];
              for (const id of shardTaskIds) {
                try {
                  await scheduler.triggerTask(id);
                  triggered.push(id);
                } catch (error) {
                  // Already running: that shard's scan is under way.
                  logger.debug(`Not triggering ${id}: ${error}`);
                }
              }
              return triggered;
            },
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
