import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import request from 'supertest';
import {
  recordingAuditor,
  startPluginBackend,
  userInfoWithGroups,
} from '../__testUtils__/harness';

jest.setTimeout(120_000);

/** In the team owning the account entities. */
const OWNER = 'user:default/owner';
/** May read and rescan, but is not in the owning team. */
const OTHER_TEAM = 'user:default/other-team';
/** May read reports but not rescan. */
const VIEWER = 'user:default/viewer';
/** May not read CloudTrail encryption reports at all. */
const OUTSIDER = 'user:default/outsider';
const PAYMENTS = '100000000001';
const PAYMENTS_TRAIL =
  'arn:aws:cloudtrail:us-east-1:100000000001:trail/payments-trail';

const TOOLS = [
  'cloudtrail-encryption.get-account-report',
  'cloudtrail-encryption.list-accounts',
  'cloudtrail-encryption.explain-trail-readers',
  'cloudtrail-encryption.rescan-account',
];

const userOf = (credentials: BackstageCredentials) =>
  (credentials.principal as { userEntityRef?: string }).userEntityRef;

describe('TrailGuard actions over MCP', () => {
  let sandbox: Sandbox;
  let h: Awaited<ReturnType<typeof startPluginBackend>>;
  const clients: Client[] = [];
  const auditor = recordingAuditor(['account-report-read', 'account-rescan']);

  async function connect(user: string): Promise<Client> {
    const client = new Client({ name: 'trailguard-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(
      new URL(`http://localhost:${h.backend.server.port()}/api/mcp-actions/v1`),
      {
        requestInit: {
          headers: { Authorization: mockCredentials.user.header(user) },
        },
      },
    );
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  const structured = (result: Awaited<ReturnType<Client['callTool']>>) =>
    JSON.parse((result.content as Array<{ text: string }>)[0].text);

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async (requests, options) =>
        requests.map(r => {
          const user = userOf(options.credentials);
          const name = 'permission' in r ? r.permission.name : '';
          const denied =
            (user === OUTSIDER && name.startsWith('cloudtrail-encryption.')) ||
            (user === VIEWER && name === 'cloudtrail-encryption.scan.trigger');
          return {
            result: denied ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
          };
        }) as any,
    });
    h = await startPluginBackend({
      sandbox,
      features: [
        mcpActionsPlugin,
        permissions.factory,
        auditor.factory,
        userInfoWithGroups({ [OWNER]: 'group:default/platform-team' }),
      ],
      rootConfig: {
        backend: { actions: { pluginSources: ['cloudtrail-encryption'] } },
      },
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map(c => c.close()));
    await h?.backend.stop();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('lists the four actions with their attributes and schemas', async () => {
    const client = await connect(OWNER);
    const { tools } = await client.listTools();
    const ours = tools.filter(t => t.name.startsWith('cloudtrail-encryption.'));
    expect(ours.map(t => t.name).sort()).toEqual([...TOOLS].sort());
    const byName = new Map(ours.map(t => [t.name, t]));
    const rescan = byName.get('cloudtrail-encryption.rescan-account')!;
    expect(rescan.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
    expect(rescan.inputSchema.required).toEqual(['accountId']);
    const get = byName.get('cloudtrail-encryption.get-account-report')!;
    expect(get.annotations).toMatchObject({
      readOnlyHint: true,
      idempotentHint: true,
    });
    expect(Object.keys(get.inputSchema.properties ?? {}).sort()).toEqual([
      'accountId',
      'entityRef',
    ]);
  });

  it('rescans, then reads, lists and explains an account', async () => {
    const client = await connect(OWNER);
    const rescan = await client.callTool({
      name: 'cloudtrail-encryption.rescan-account',
      arguments: { accountId: PAYMENTS },
    });
    expect(rescan.isError).toBeFalsy();
    const rescanned = structured(rescan).report;
    expect(rescanned.accountId).toBe(PAYMENTS);
    expect(rescanned.status).toBe('compliant');

    const byEntity = await client.callTool({
      name: 'cloudtrail-encryption.get-account-report',
      arguments: { entityRef: 'resource:default/aws-payments-prod' },
    });
    expect(byEntity.isError).toBeFalsy();
    const report = structured(byEntity).report;
    expect(report).toMatchObject({
      accountId: PAYMENTS,
      entityRef: 'resource:default/aws-payments-prod',
      scannedAt: rescanned.scannedAt,
    });
    const trail = report.trails.find(
      (t: { trailArn: string }) => t.trailArn === PAYMENTS_TRAIL,
    );
    expect(trail.encryption).toBe('SSE-KMS');

    const list = structured(
      await client.callTool({
        name: 'cloudtrail-encryption.list-accounts',
        arguments: { status: 'compliant', pageSize: 5 },
      }),
    );
    expect(list.totalCount).toBe(1);
    expect(list.items).toEqual([
      expect.objectContaining({
        accountId: PAYMENTS,
        status: 'compliant',
        entityRef: 'resource:default/aws-payments-prod',
      }),
    ]);

    const readers = structured(
      await client.callTool({
        name: 'cloudtrail-encryption.explain-trail-readers',
        arguments: { accountId: PAYMENTS, trail: 'payments-trail' },
      }),
    );
    expect(readers.trails).toHaveLength(1);
    expect(readers.trails[0].trailArn).toBe(PAYMENTS_TRAIL);
    expect(['effective-readers', 'key-policy-only']).toContain(
      readers.trails[0].analysis,
    );
    expect(readers.trails[0].readers.length).toBeGreaterThan(0);
  });

  it('sees a change in AWS only after a rescan', async () => {
    const client = await connect(OWNER);
    sandbox.mutate.setTrailKey(PAYMENTS_TRAIL, undefined);
    const stale = structured(
      await client.callTool({
        name: 'cloudtrail-encryption.get-account-report',
        arguments: { accountId: PAYMENTS },
      }),
    ).report;
    expect(stale.status).toBe('compliant');
    const fresh = structured(
      await client.callTool({
        name: 'cloudtrail-encryption.rescan-account',
        arguments: { accountId: PAYMENTS },
      }),
    ).report;
    expect(fresh.status).toBe('non-compliant');
    expect(fresh.findings.map((f: { code: string }) => f.code)).toContain(
      'TRAIL_NOT_KMS_ENCRYPTED',
    );
  });

  it('refuses a caller without the permissions, and gives no data', async () => {
    const outsider = await connect(OUTSIDER);
    for (const [name, args] of [
      ['get-account-report', { accountId: PAYMENTS }],
      ['list-accounts', {}],
      ['explain-trail-readers', { accountId: PAYMENTS }],
      ['rescan-account', { accountId: PAYMENTS }],
    ] as const) {
      const result = await outsider.callTool({
        name: `cloudtrail-encryption.${name}`,
        arguments: args,
      });
      expect({ name, isError: result.isError }).toEqual({
        name,
        isError: true,
      });
      const text = (result.content as Array<{ text: string }>)[0].text;
      expect(text).toMatch(
        /^NotAllowedError: Not allowed: cloudtrail-encryption\./,
      );
      expect(text).not.toContain('payments');
      expect(result.structuredContent).toBeUndefined();
    }

    // May read, may not rescan.
    const viewer = await connect(VIEWER);
    const read = await viewer.callTool({
      name: 'cloudtrail-encryption.get-account-report',
      arguments: { accountId: PAYMENTS },
    });
    expect(read.isError).toBeFalsy();
    const refused = await viewer.callTool({
      name: 'cloudtrail-encryption.rescan-account',
      arguments: { accountId: PAYMENTS },
    });
    expect(refused.isError).toBe(true);
    expect((refused.content as Array<{ text: string }>)[0].text).toMatch(
      /^NotAllowedError: Not allowed: cloudtrail-encryption\.scan\.trigger/,
    );
  });

  it('tells an unknown account from a bad request', async () => {
    const client = await connect(OWNER);
    const missing = await client.callTool({
      name: 'cloudtrail-encryption.get-account-report',
      arguments: { accountId: '999999999999' },
    });
    expect((missing.content as Array<{ text: string }>)[0].text).toBe(
      'NotFoundError: No report for account 999999999999',
    );
    const both = await client.callTool({
      name: 'cloudtrail-encryption.get-account-report',
      arguments: {},
    });
    expect((both.content as Array<{ text: string }>)[0].text).toBe(
      'InputError: Give exactly one of accountId or entityRef',
    );
  });

  it('audits report reads and rescans of another team’s account as the HTTP routes do, naming the action', async () => {
    const call = async (
      user: string,
      name: string,
      args: Record<string, unknown>,
    ) => {
      const result = await (
        await connect(user)
      ).callTool({ name: `cloudtrail-encryption.${name}`, arguments: args });
      expect({ name, failed: Boolean(result.isError) }).toEqual({
        name,
        failed: false,
      });
    };
    const entityRef = 'resource:default/aws-payments-prod';
    auditor.clear();

    // Owners are not recorded; lists never are.
    await call(OWNER, 'rescan-account', { accountId: PAYMENTS });
    await call(OWNER, 'get-account-report', { accountId: PAYMENTS });
    await call(OWNER, 'explain-trail-readers', { accountId: PAYMENTS });
    await call(OTHER_TEAM, 'list-accounts', {});
    expect(auditor.events()).toEqual([]);

    await call(OTHER_TEAM, 'get-account-report', { entityRef });
    expect(auditor.events()).toEqual([
      expect.objectContaining({
        eventId: 'account-report-read',
        severityLevel: 'low',
        meta: {
          accountId: PAYMENTS,
          entityRef,
          via: 'mcp-action',
          action: 'get-account-report',
          initiator: OTHER_TEAM,
        },
      }),
    ]);
    expect(await auditor.outcomes()).toEqual(['succeeded']);

    // Within the minute, another read of the report through an action is
    // not recorded again; a read over HTTP is, being another channel.
    await call(OTHER_TEAM, 'explain-trail-readers', { accountId: PAYMENTS });
    expect(auditor.events()).toHaveLength(1);
    const http = await request(h.backend.server)
      .get(h.api(`/accounts/${PAYMENTS}`))
      .set('Authorization', mockCredentials.user.header(OTHER_TEAM));
    expect(http.status).toBe(200);
    expect(auditor.events()[1]).toEqual(
      expect.objectContaining({
        eventId: 'account-report-read',
        meta: { accountId: PAYMENTS, entityRef },
      }),
    );

    // A minute later, the same read is recorded again.
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    try {
      await call(OTHER_TEAM, 'explain-trail-readers', {
        accountId: PAYMENTS,
        trail: 'payments-trail',
      });
    } finally {
      clock.mockRestore();
    }
    expect(auditor.events()[2]).toEqual(
      expect.objectContaining({
        eventId: 'account-report-read',
        meta: expect.objectContaining({
          via: 'mcp-action',
          action: 'explain-trail-readers',
          initiator: OTHER_TEAM,
        }),
      }),
    );

    // Every rescan is recorded, after authorization: a refused one is not.
    const refused = await (
      await connect(VIEWER)
    ).callTool({
      name: 'cloudtrail-encryption.rescan-account',
      arguments: { accountId: PAYMENTS },
    });
    expect(refused.isError).toBe(true);
    await call(OTHER_TEAM, 'rescan-account', { accountId: PAYMENTS });
    expect(auditor.events().slice(3)).toEqual([
      expect.objectContaining({
        eventId: 'account-rescan',
        severityLevel: 'low',
        meta: {
          accountId: PAYMENTS,
          entityRef,
          via: 'mcp-action',
          action: 'rescan-account',
          initiator: OTHER_TEAM,
        },
      }),
    ]);
    expect(await auditor.outcomes()).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
  });
});
