import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import request from 'supertest';
import {
  recordingAuditor,
  startPluginBackend,
  userInfoWithGroups,
} from '../__testUtils__/harness';

jest.setTimeout(120_000);

const PAYMENTS = '100000000001';
const MARKETING = '100000000002';
const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

function accountEntity(name: string, accountId: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'amazonaws.com/account-id': accountId },
    },
    spec: { type: 'cloud-account', owner },
  };
}

const ENTITIES = [
  accountEntity('aws-payments-prod', PAYMENTS, 'group:payments'),
  accountEntity('aws-marketing-sandbox', MARKETING, 'group:marketing'),
];

/** Alice is in payments, Bob in marketing. */
const GROUPS: Record<string, string> = {
  [ALICE]: 'group:default/payments',
  [BOB]: 'group:default/marketing',
};

describe('audit events for reads and rescans of accounts the caller does not own', () => {
  let sandbox: Sandbox;
  let h: Awaited<ReturnType<typeof startPluginBackend>>;
  const auditor = recordingAuditor();
  const { events, outcomes } = auditor;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    h = await startPluginBackend({
      sandbox,
      entities: ENTITIES,
      features: [auditor.factory, userInfoWithGroups(GROUPS)],
    });
  });

  afterAll(async () => {
    await h?.backend.stop();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  beforeEach(() => auditor.clear());

  const as = (user: string) => ({
    get: (path: string) =>
      request(h.backend.server)
        .get(h.api(path))
        .set('Authorization', mockCredentials.user.header(user)),
    post: (path: string) =>
      request(h.backend.server)
        .post(h.api(path))
        .set('Authorization', mockCredentials.user.header(user)),
  });

  it('records nothing when owners rescan and read their own account', async () => {
    expect((await as(ALICE).post(`/accounts/${PAYMENTS}/rescan`)).status).toBe(
      200,
    );
    expect((await as(ALICE).get(`/accounts/${PAYMENTS}`)).status).toBe(200);
    expect(
      (await as(ALICE).get('/entity/default/resource/aws-payments-prod'))
        .status,
    ).toBe(200);
    expect(events()).toEqual([]);
  });

  it('records a rescan of another team’s account', async () => {
    const res = await as(ALICE).post(`/accounts/${MARKETING}/rescan`);
    expect(res.status).toBe(200);
    expect(events()).toEqual([
      expect.objectContaining({
        eventId: 'account-rescan',
        severityLevel: 'low',
        meta: {
          accountId: MARKETING,
          entityRef: 'resource:default/aws-marketing-sandbox',
        },
      }),
    ]);
    expect(await outcomes()).toEqual(['succeeded']);
  });

  it('records a read of another team’s report once per caller and account a minute', async () => {
    expect((await as(BOB).get(`/accounts/${PAYMENTS}`)).status).toBe(200);
    const meta = {
      accountId: PAYMENTS,
      entityRef: 'resource:default/aws-payments-prod',
    };
    expect(events()).toEqual([
      expect.objectContaining({
        eventId: 'account-report-read',
        severityLevel: 'low',
        meta,
      }),
    ]);
    expect(await outcomes()).toEqual(['succeeded']);

    // The same report again, by entity: within the minute, not again.
    const byEntity = await as(BOB).get(
      '/entity/default/resource/aws-payments-prod',
    );
    expect(byEntity.status).toBe(200);
    expect(byEntity.body.accountId).toBe(PAYMENTS);
    expect(events()).toHaveLength(1);

    // Another caller, or another account, is another event; owners none.
    expect((await as(ALICE).get(`/accounts/${MARKETING}`)).status).toBe(200);
    expect((await as(BOB).get(`/accounts/${MARKETING}`)).status).toBe(200);
    expect(events().map(e => [e.eventId, e.meta?.accountId])).toEqual([
      ['account-report-read', PAYMENTS],
      ['account-report-read', MARKETING],
    ]);

    // A minute later the same read is recorded again.
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    try {
      expect(
        (await as(BOB).get('/entity/default/resource/aws-payments-prod'))
          .status,
      ).toBe(200);
    } finally {
      clock.mockRestore();
    }
    expect(events()).toHaveLength(3);
    expect(events()[2]).toEqual(
      expect.objectContaining({ eventId: 'account-report-read', meta }),
    );
  });

  it('records nothing for a report it does not serve, nor for lists', async () => {
    expect((await as(BOB).get('/accounts/100000000003')).status).toBe(404);
    expect((await as(BOB).get('/accounts?pageSize=10')).status).toBe(200);
    expect(events()).toEqual([]);
  });

  it('serves a report with an entity tag and answers a matching If-None-Match with 304', async () => {
    const first = await as(BOB).get(`/accounts/${MARKETING}`);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
    const again = await as(BOB)
      .get(`/accounts/${MARKETING}`)
      .set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    // A new scan is a new report: new body, new tag.
    expect((await as(BOB).post(`/accounts/${MARKETING}/rescan`)).status).toBe(
      200,
    );
    const rescanned = await as(BOB)
      .get(`/accounts/${MARKETING}`)
      .set('If-None-Match', first.headers.etag);
    expect(rescanned.status).toBe(200);
    expect(rescanned.headers.etag).not.toBe(first.headers.etag);
    expect(rescanned.body.scannedAt).not.toBe(first.body.scannedAt);
  });
});
