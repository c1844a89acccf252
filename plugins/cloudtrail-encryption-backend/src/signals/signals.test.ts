import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  signalsServiceRef,
  type SignalPayload,
} from '@backstage/plugin-signals-node';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import request from 'supertest';
import { accountEntities } from '../__testUtils__/harness';
import { cloudTrailEncryptionPlugin } from '../plugin';

jest.setTimeout(120_000);

const PAYMENTS = '100000000001';

describe('rescan progress through signals', () => {
  let sandbox: Sandbox;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const published: SignalPayload[] = [];

  const config = (sb: Sandbox) =>
    mockServices.rootConfig.factory({
      data: {
        aws: {
          mainAccount: {
            accessKeyId: sb.credentials.accessKeyId,
            secretAccessKey: sb.credentials.secretAccessKey,
          },
          accountDefaults: { roleName: 'TrailGuardReadOnly' },
        },
        cloudtrailEncryption: {
          aws: { endpoint: sb.endpoint },
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
    });

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    backend = await startTestBackend({
      features: [
        cloudTrailEncryptionPlugin,
        schedulerServiceFactory,
        catalogServiceMock.factory({ entities: accountEntities(sandbox) }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({
            publish: async (signal: SignalPayload) => {
              published.push(signal);
            },
          }),
        }),
        config(sandbox),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('tells the account channel a rescan started, stored and finished, then the runs channel', async () => {
    const res = await request(backend.server)
      .post(`/api/cloudtrail-encryption/accounts/${PAYMENTS}/rescan`)
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    const runId = published[0]?.message.runId;
    expect(typeof runId).toBe('string');
    expect(published).toEqual([
      {
        recipients: { type: 'broadcast' },
        channel: `cloudtrail-encryption:account:${PAYMENTS}`,
        message: { type: 'rescan-started', accountId: PAYMENTS, runId },
      },
      {
        recipients: { type: 'broadcast' },
        channel: `cloudtrail-encryption:account:${PAYMENTS}`,
        message: {
          type: 'report-stored',
          accountId: PAYMENTS,
          scannedAt: res.body.scannedAt,
        },
      },
      {
        recipients: { type: 'broadcast' },
        channel: `cloudtrail-encryption:account:${PAYMENTS}`,
        message: {
          type: 'rescan-finished',
          accountId: PAYMENTS,
          runId,
          stored: true,
        },
      },
      {
        recipients: { type: 'broadcast' },
        channel: 'cloudtrail-encryption:scan-runs',
        message: { type: 'run-finished', runId, accountCount: 1 },
      },
    ]);
    // Nothing of the report itself goes out on a broadcast.
    expect(JSON.stringify(published)).not.toContain(res.body.status);
  });

  it('keeps working when publishing fails', async () => {
    const failing = await startTestBackend({
      features: [
        cloudTrailEncryptionPlugin,
        schedulerServiceFactory,
        catalogServiceMock.factory({ entities: accountEntities(sandbox) }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({
            publish: async () => {
              throw new Error('signals are down');
            },
          }),
        }),
        config(sandbox),
      ],
    });
    try {
      const res = await request(failing.server)
        .post(`/api/cloudtrail-encryption/accounts/${PAYMENTS}/rescan`)
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(res.body.accountId).toBe(PAYMENTS);
    } finally {
      await failing.stop();
    }
  });
});
