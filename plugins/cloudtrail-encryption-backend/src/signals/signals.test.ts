import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  signalsServiceRef,
  type SignalPayload,
} from '@backstage/plugin-signals-node';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import request from 'supertest';
import { startPluginBackend } from '../__testUtils__/harness';

jest.setTimeout(120_000);

const PAYMENTS = '100000000001';

/** A signals service handing each signal to `publish`. */
const signalsService = (publish: (signal: SignalPayload) => Promise<void>) =>
  createServiceFactory({
    service: signalsServiceRef,
    deps: {},
    factory: () => ({ publish }),
  });

describe('rescan progress through signals', () => {
  let sandbox: Sandbox;
  let h: Awaited<ReturnType<typeof startPluginBackend>>;
  const published: SignalPayload[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    h = await startPluginBackend({
      sandbox,
      features: [
        signalsService(async signal => {
          published.push(signal);
        }),
      ],
    });
  });

  afterAll(async () => {
    await h?.backend.stop();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('tells the account channel a rescan started, stored and finished, then the runs channel', async () => {
    const res = await request(h.backend.server)
      .post(h.api(`/accounts/${PAYMENTS}/rescan`))
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
    const failing = await startPluginBackend({
      sandbox,
      features: [
        signalsService(async () => {
          throw new Error('signals are down');
        }),
      ],
    });
    try {
      const res = await request(failing.backend.server)
        .post(failing.api(`/accounts/${PAYMENTS}/rescan`))
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(res.body.accountId).toBe(PAYMENTS);
    } finally {
      await failing.backend.stop();
    }
  });
});
