import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createServiceFactory,
  type AuditorService,
  type BackstageCredentials,
  type PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import type { Sandbox } from '@trailguard/aws-sandbox';
// The tests run the actions against the real TrailGuard backend plugin.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import trailGuardPlugin from '@trailguard/plugin-cloudtrail-encryption-backend';
import request from 'supertest';
import scaffolderModule from '..';
import { sandboxConfigData } from './sandbox';

export const OWNER = 'user:default/platform-engineer';
export const OUTSIDER = 'user:default/outsider';

/** An audit event as the auditor was given it, with its outcome. */
export interface CapturedAuditEvent {
  eventId: string;
  severityLevel?: string;
  meta: Record<string, unknown>;
  outcome?: 'success' | 'fail';
  error?: string;
}

/** An auditor service that keeps every event of every plugin. */
export function capturingAuditor() {
  const events: CapturedAuditEvent[] = [];
  const service: AuditorService = {
    async createEvent(options) {
      const event: CapturedAuditEvent = {
        eventId: options.eventId,
        severityLevel: options.severityLevel,
        meta: (options.meta ?? {}) as Record<string, unknown>,
      };
      events.push(event);
      return {
        async success() {
          event.outcome = 'success';
        },
        async fail(failure) {
          event.outcome = 'fail';
          event.error = failure.error?.message;
        },
      };
    },
  };
  const factory = createServiceFactory({
    service: coreServices.auditor,
    deps: {},
    factory: () => service,
  });
  return { events, factory };
}

/**
 * Everyone may do everything, except OUTSIDER, who may not remediate (the
 * TrailGuard `remediate` permission).
 */
function permissionsFactory() {
  const decide = (
    requests: Array<{ permission: { name: string } }>,
    credentials: BackstageCredentials,
  ) =>
    requests.map(r => ({
      result:
        (credentials.principal as { userEntityRef?: string }).userEntityRef ===
          OUTSIDER && r.permission.name === 'cloudtrail-encryption.remediate'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    }));
  const service = {
    authorize: async (requests: any[], options: any) =>
      decide(requests, options.credentials),
    authorizeConditional: async (requests: any[], options: any) =>
      decide(requests, options.credentials),
  } as unknown as PermissionsService;
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => service,
  });
}

function accountEntities(sandbox: Sandbox): Entity[] {
  return sandbox.scenario.accounts.map(a => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: `aws-${a.name ?? a.id}`,
      namespace: 'default',
      annotations: { 'amazonaws.com/account-id': a.id },
    },
    spec: { type: 'cloud-account', owner: 'group:platform-team' },
  }));
}

/**
 * The real scaffolder backend with this module, the TrailGuard backend
 * plugin and the sandbox: templates run through the scaffolder's own dry-run
 * and task APIs, the actions reach TrailGuard over HTTP as in production.
 */
export async function startScaffolderBackend(options: {
  sandbox: Sandbox;
  templates: Entity[];
  remediation?: Record<string, unknown>;
}) {
  const { sandbox } = options;
  const auditor = capturingAuditor();
  const data = sandboxConfigData(sandbox);
  const backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModule,
      trailGuardPlugin,
      schedulerServiceFactory,
      auditor.factory,
      permissionsFactory(),
      catalogServiceMock.factory({
        entities: [...accountEntities(sandbox), ...options.templates],
      }),
      mockServices.rootConfig.factory({
        data: {
          ...data,
          cloudtrailEncryption: {
            ...data.cloudtrailEncryption,
            aws: { ...data.cloudtrailEncryption.aws, maxAttempts: 3 },
            remediation: {
              roleName: 'TrailGuardRemediation',
              ...options.remediation,
            },
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
  const header = (user: string) => mockCredentials.user.header(user);

  /** A full TrailGuard scan, waited for, so every account has a report. */
  async function fullScan() {
    const api = '/api/cloudtrail-encryption';
    const runs = async () =>
      (
        await request(backend.server)
          .get(`${api}/scans?limit=200`)
          .set('Authorization', header(OWNER))
      ).body.items;
    const before = (await runs()).length;
    const res = await request(backend.server)
      .post(`${api}/scans`)
      .set('Authorization', header(OWNER));
    if (res.status !== 202) {
      throw new Error(`POST /scans: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const items = await runs();
      if (items.length > before && items[0].finishedAt) return items[0];
      if (Date.now() > deadline) throw new Error('the scan did not finish');
      await new Promise(r => setTimeout(r, 200));
    }
  }

  /** POST /api/scaffolder/v2/dry-run as `user`. */
  async function dryRun(
    template: Entity,
    values: Record<string, unknown>,
    user = OWNER,
  ) {
    return request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', header(user))
      .send({ template, values, directoryContents: [] });
  }

  /**
   * The plan digest a user confirms in the preview: a dry run of the
   * template's first step (check-request) with these values. Taken from that
   * step alone so that a run the later steps refuse can still be confirmed,
   * as an API caller who reviewed it could.
   */
  async function confirmedPlan(
    template: Entity,
    values: Record<string, unknown>,
    user = OWNER,
  ): Promise<string> {
    const spec = template.spec as { steps: Array<{ id: string }> };
    const check = spec.steps[0];
    const res = await dryRun(
      {
        ...template,
        spec: {
          ...template.spec,
          steps: [check],
          output: {
            planDigest: `\${{ steps['${check.id}'].output.planDigest }}`,
          },
        },
      } as Entity,
      values,
      user,
    );
    const digest = res.body?.output?.planDigest;
    if (res.status !== 200 || typeof digest !== 'string') {
      throw new Error(
        `No plan digest from the dry run: ${res.status} ${JSON.stringify(
          res.body,
        ).slice(0, 2000)}`,
      );
    }
    return digest;
  }

  /** POST /api/scaffolder/v2/tasks as `user`, then waits for the task to end. */
  async function runTask(
    templateRef: string,
    values: Record<string, unknown>,
    user = OWNER,
  ) {
    const created = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', header(user))
      .send({ templateRef, values });
    if (created.status !== 201) {
      throw new Error(
        `POST /v2/tasks: ${created.status} ${JSON.stringify(created.body)}`,
      );
    }
    const id = created.body.id as string;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const task = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${id}`)
        .set('Authorization', header(user));
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        const events = await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${id}/events`)
          .set('Authorization', header(user));
        return {
          status: task.body.status as string,
          output: task.body.spec ? undefined : task.body.output,
          events: events.body as Array<{
            type: string;
            body: Record<string, any>;
          }>,
        };
      }
      if (Date.now() > deadline) throw new Error(`task ${id} did not end`);
      await new Promise(r => setTimeout(r, 200));
    }
  }

  return { backend, auditor, fullScan, dryRun, confirmedPlan, runTask };
}
