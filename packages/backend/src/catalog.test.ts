import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { resolve as resolvePath } from 'node:path';
import request from 'supertest';

const repoRoot = resolvePath(__dirname, '../../..');

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

describe('backend catalog', () => {
  it('serves the example AWS-account entities', async () => {
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'Domain',
                    'Resource',
                    'Location',
                  ],
                },
              ],
              locations: [
                {
                  type: 'file',
                  target: resolvePath(repoRoot, 'examples/aws-accounts.yaml'),
                },
                {
                  type: 'file',
                  target: resolvePath(repoRoot, 'examples/org.yaml'),
                  rules: [{ allow: ['User', 'Group'] }],
                },
              ],
            },
          },
        }),
      ],
    });

    try {
      const accounts = await waitFor(async () => {
        const res = await request(backend.server)
          .get('/api/catalog/entities')
          .query({ filter: 'kind=resource,spec.type=cloud-account' })
          .set('Authorization', mockCredentials.user.header());
        expect(res.status).toBe(200);
        return res.body.length >= 14 ? res.body : undefined;
      }, 60_000);

      const ids = accounts
        .map((e: any) => e.metadata.annotations['amazonaws.com/account-id'])
        .sort();
      expect(ids).toHaveLength(14);
      expect(ids).toContain('100000000001');
      expect(ids).toContain('111111111111');
      for (const entity of accounts) {
        expect(entity.spec.owner).toMatch(/^group:/);
        expect(entity.spec.system).toBe('aws-organization');
      }
    } finally {
      await backend.stop();
    }
  }, 120_000);
});
