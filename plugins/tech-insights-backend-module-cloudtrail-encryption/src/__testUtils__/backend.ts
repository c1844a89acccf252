import type { AddressInfo } from 'node:net';
import {
  techInsightsFactRetrieversExtensionPoint,
  type FactRetriever,
  type FactRetrieverContext,
} from '@backstage-community/plugin-tech-insights-node';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Sandbox } from '@trailguard/aws-sandbox';
// The retriever is tested against the real TrailGuard backend plugin.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import trailGuardPlugin from '@trailguard/plugin-cloudtrail-encryption-backend';
import techInsightsModule from '..';

/**
 * Stands in for the Tech Insights backend: it offers the fact retrievers
 * extension point and, like its fact retriever engine, hands retrievers
 * their context (this plugin's config, discovery, logger, auth, URL reader).
 */
function techInsightsHost() {
  const retrievers: Record<string, FactRetriever> = {};
  let context: Omit<FactRetrieverContext, 'entityFilter'> | undefined;
  const plugin = createBackendPlugin({
    pluginId: 'tech-insights',
    register(env) {
      env.registerExtensionPoint(techInsightsFactRetrieversExtensionPoint, {
        addFactRetrievers(added) {
          Object.assign(retrievers, added);
        },
      });
      env.registerInit({
        deps: {
          config: coreServices.rootConfig,
          discovery: coreServices.discovery,
          logger: coreServices.logger,
          auth: coreServices.auth,
          urlReader: coreServices.urlReader,
        },
        async init(deps) {
          context = deps;
        },
      });
    },
  });
  /** Runs a registered retriever the way the fact retriever engine does. */
  const run = (id: string) => {
    const retriever = retrievers[id];
    if (!retriever || !context) throw new Error(`No retriever ${id}`);
    return retriever.handler({
      ...context,
      entityFilter: retriever.entityFilter,
    });
  };
  return { plugin, retrievers, run };
}

/**
 * The TrailGuard backend plugin on the sandbox, the catalog given, and this
 * module inside a Tech Insights host.
 */
export async function startBackend(options: {
  sandbox: Sandbox;
  entities: Entity[];
  /** False for a deployment without the TrailGuard backend plugin. */
  trailGuard?: boolean;
}) {
  const { sandbox } = options;
  const host = techInsightsHost();
  const backend = await startTestBackend({
    features: [
      ...(options.trailGuard === false ? [] : [trailGuardPlugin]),
      host.plugin,
      techInsightsModule,
      schedulerServiceFactory,
      catalogServiceMock.factory({ entities: options.entities }),
      mockServices.rootConfig.factory({
        data: {
          aws: {
            mainAccount: {
              accessKeyId: sandbox.credentials.accessKeyId,
              secretAccessKey: sandbox.credentials.secretAccessKey,
            },
            accountDefaults: { roleName: 'TrailGuardReadOnly' },
          },
          cloudtrailEncryption: {
            aws: { endpoint: sandbox.endpoint, maxAttempts: 3 },
            schedule: {
              frequency: { trigger: 'manual' },
              timeout: { minutes: 5 },
            },
            newAccountsSchedule: {
              frequency: { trigger: 'manual' },
              timeout: { minutes: 5 },
            },
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  const api = async (path: string, init: RequestInit = {}) =>
    fetch(`http://localhost:${port}/api/cloudtrail-encryption${path}`, {
      ...init,
      headers: { Authorization: mockCredentials.user.header() },
    });

  /** A full TrailGuard scan, waited for, so every account has a report. */
  async function fullScan() {
    const runs = async () =>
      (await (await api('/scans?limit=200')).json()).items;
    const before = (await runs()).length;
    const started = await api('/scans', { method: 'POST' });
    if (started.status !== 202) {
      throw new Error(`POST /scans: ${started.status} ${await started.text()}`);
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const items = await runs();
      if (items.length > before && items[0].finishedAt) return;
      if (Date.now() > deadline) throw new Error('the scan did not finish');
      await new Promise(r => setTimeout(r, 200));
    }
  }

  return { backend, host, api, fullScan };
}
