import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import request from 'supertest';
import { accountEntities, startPluginBackend } from '../__testUtils__/harness';

jest.setTimeout(120_000);

const OWNER = 'user:default/owner';
const STRANGER = 'user:default/stranger';
const PAYMENTS = '100000000001';
const PAYMENTS_TRAIL =
  'arn:aws:cloudtrail:us-east-1:100000000001:trail/payments-trail';

/** The team owning the account entities, and one user outside it. */
const people: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'platform-team', namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: [{ type: 'hasMember', targetRef: OWNER }],
  },
  ...['owner', 'stranger'].map(name => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: {},
  })),
];

interface Notification {
  payload: {
    title: string;
    description?: string;
    severity: string;
    link?: string;
    topic?: string;
    scope?: string;
  };
}

describe('regression notifications through the notifications backend', () => {
  let sandbox: Sandbox;
  let h: Awaited<ReturnType<typeof startPluginBackend>>;

  const notificationsOf = async (user: string): Promise<Notification[]> => {
    const res = await request(h.backend.server)
      .get('/api/notifications/notifications')
      .set('Authorization', mockCredentials.user.header(user));
    expect(res.status).toBe(200);
    return res.body.notifications;
  };

  const rescan = async () => {
    const res = await request(h.backend.server)
      .post(h.api(`/accounts/${PAYMENTS}/rescan`))
      .set('Authorization', mockCredentials.user.header(OWNER));
    expect(res.status).toBe(200);
    return res.body;
  };

  /** Notifications are sent after the report is stored, without waiting. */
  const eventually = async <T>(
    read: () => Promise<T>,
    ok: (v: T) => boolean,
  ) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise(r => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    h = await startPluginBackend({
      sandbox,
      entities: [...accountEntities(sandbox), ...people],
      features: [notificationsPlugin],
      rootConfig: { app: { baseUrl: 'http://localhost:3000' } },
    });
  });

  afterAll(async () => {
    await h?.backend.stop();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('notifies the owners once of a regression, and once of its resolution', async () => {
    // The first report is not a regression of anything.
    expect((await rescan()).status).toBe('compliant');
    await new Promise(r => setTimeout(r, 300));
    expect(await notificationsOf(OWNER)).toEqual([]);

    // The trail falls back to SSE-S3: the account turns non-compliant.
    const keyArn = sandbox.state.trails.get(PAYMENTS_TRAIL)!.kmsKeyArn;
    expect(keyArn).toBeDefined();
    sandbox.mutate.setTrailKey(PAYMENTS_TRAIL, undefined);
    expect((await rescan()).status).toBe('non-compliant');
    const [regression, ...others] = await eventually(
      () => notificationsOf(OWNER),
      n => n.length > 0,
    );
    expect(others).toEqual([]);
    expect(regression.payload).toMatchObject({
      title:
        'Trail not encrypted with a KMS key on AWS account aws-payments-prod (100000000001)',
      severity: 'high',
      link: '/catalog/default/resource/aws-payments-prod',
      scope: `cloudtrail-encryption:${PAYMENTS}:TRAIL_NOT_KMS_ENCRYPTED`,
    });
    expect(regression.payload.description).toContain(
      'The account is no longer compliant.',
    );
    expect(await notificationsOf(STRANGER)).toEqual([]);

    // Unchanged: nothing new.
    await rescan();
    await new Promise(r => setTimeout(r, 300));
    expect(await notificationsOf(OWNER)).toHaveLength(1);

    // Fixed: the same notification now says it is resolved.
    sandbox.mutate.setTrailKey(PAYMENTS_TRAIL, keyArn);
    expect((await rescan()).status).toBe('compliant');
    const after = await eventually(
      () => notificationsOf(OWNER),
      n => n[0]?.payload.title.startsWith('Resolved'),
    );
    expect(after).toHaveLength(1);
    expect(after[0].payload).toMatchObject({
      title:
        'Resolved: Trail not encrypted with a KMS key on AWS account aws-payments-prod (100000000001)',
      description: 'The account is compliant again.',
      severity: 'low',
      scope: `cloudtrail-encryption:${PAYMENTS}:TRAIL_NOT_KMS_ENCRYPTED`,
    });
  });
});
