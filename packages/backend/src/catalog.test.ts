import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { Sandbox, startSandbox } from '@trailguard/aws-sandbox';
import request from 'supertest';
import {
  developmentConfig,
  mergeConfig,
} from './__testUtils__/developmentConfig';
import { catalogModuleAwsOrganizationAccounts } from './modules/awsOrganizationAccounts';

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await new Promise(r => setTimeout(r, 250));
  }
}

describe('backend catalog (development configuration)', () => {
  let sandbox: Sandbox;
  const saved = process.env.AWS_ENDPOINT_URL_ORGANIZATIONS;
  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    // What the sandbox backend module does under `yarn start`.
    process.env.AWS_ENDPOINT_URL_ORGANIZATIONS = sandbox.endpoint;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_ORGANIZATIONS;
    else process.env.AWS_ENDPOINT_URL_ORGANIZATIONS = saved;
    await sandbox.close();
  });

  it('ingests the organization accounts with their owners, and the examples', async () => {
    const data = mergeConfig(await developmentConfig(), {
      catalog: { processingInterval: { seconds: 1 } },
      // This backend has no permission plugin to ask.
      permission: { enabled: false },
    });
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleAwsOrganizationAccounts,
        mockServices.rootConfig.factory({ data }),
      ],
    });

    try {
      const get = async (query: Record<string, string>) => {
        const res = await request(backend.server)
          .get('/api/catalog/entities/by-query')
          .query({ ...query, limit: '500' })
          .set('Authorization', mockCredentials.user.header());
        expect(res.status).toBe(200);
        return res.body.items as any[];
      };
      const accounts = await waitFor(async () => {
        const found = await get({
          filter: 'kind=resource,spec.type=cloud-account',
        });
        return found.length >= 15 ? found : undefined;
      }, 60_000);
      const byName = new Map(accounts.map(e => [e.metadata.name, e]));

      const members = accounts.filter(
        e => e.metadata.annotations['amazonaws.com/organization-id'],
      );
      expect(members).toHaveLength(sandbox.scenario.accounts.length);
      for (const entity of members) {
        expect(entity.metadata.name).toBe(`aws-${entity.metadata.title}`);
        expect(entity.metadata.annotations).toMatchObject({
          'amazonaws.com/account-id': expect.stringMatching(/^\d{12}$/),
          'amazonaws.com/organization-id': 'o-tgdemo12345',
        });
        expect(entity.spec.owner).toMatch(/^group:/);
        expect(entity.spec.system).toBe('aws-organization');
      }
      expect(byName.get('aws-payments-prod')).toMatchObject({
        metadata: {
          title: 'payments-prod',
          description: 'Payments production workloads.',
          annotations: { 'amazonaws.com/account-id': '100000000001' },
        },
        spec: { type: 'cloud-account', owner: 'group:payments-team' },
      });
      expect(byName.get('aws-data-lake')?.spec.owner).toBe('group:data-team');
      expect(byName.get('aws-marketing-sandbox')?.metadata.title).toBe(
        'marketing-sandbox',
      );

      // Not a member: only the hand-written entity knows it.
      const partner = byName.get('partner-audit');
      expect(partner?.metadata.annotations).toEqual(
        expect.objectContaining({ 'amazonaws.com/account-id': '100000000099' }),
      );
      expect(
        partner?.metadata.annotations['amazonaws.com/organization-id'],
      ).toBeUndefined();

      const claims = await get({
        filter: 'metadata.annotations.amazonaws.com/account-id=100000000001',
      });
      expect(claims.map(e => `${e.kind}:${e.metadata.name}`).sort()).toEqual([
        'Component:campaign-landing-page',
        'Resource:aws-payments-prod',
      ]);
    } finally {
      await backend.stop();
    }
  }, 120_000);
});
