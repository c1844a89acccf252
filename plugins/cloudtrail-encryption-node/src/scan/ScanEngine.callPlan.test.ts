import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from './config';

jest.setTimeout(60_000);

const ACCOUNTS = ['111111111111', '222222222222', '100000000001'];

function configFor(sandbox: Sandbox) {
  return sandboxConfig(sandbox, {
    aws: { requestTimeout: 2000, callTimeout: 5000 },
    scan: { concurrency: 4 },
  });
}

const kmsCalls = (sandbox: Sandbox) =>
  Object.fromEntries(
    Object.entries(sandbox.counters().byApi).filter(([api]) =>
      api.startsWith('kms:'),
    ),
  );

describe('ScanEngine call plan when a key disappears between scans', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('asks DescribeKey once, gets NotFound, and reads nothing else about the key', async () => {
    const { engine, clients } = createScanEngineFromConfig(configFor(sandbox));
    const scan = async () => {
      sandbox.resetCounters();
      const reports: AccountReport[] = await engine.scan(
        ACCOUNTS.map(accountId => ({ accountId })),
      );
      return { reports, kms: kmsCalls(sandbox), all: sandbox.counters().byApi };
    };
    try {
      const before = await scan();
      const keyArns = [
        ...new Set(
          before.reports.flatMap(r =>
            r.trails.flatMap(t => (t.kmsKey ? [t.kmsKey.arn] : [])),
          ),
        ),
      ];
      expect(keyArns.length).toBeGreaterThan(1);
      const deleted = keyArns[0];
      sandbox.mutate.deleteKey(deleted);

      const after = await scan();
      const perKey = [
        'kms:GetKeyPolicy',
        'kms:GetKeyRotationStatus',
        'kms:ListGrants',
      ];
      expect(after.kms).toEqual({
        ...before.kms,
        'kms:DescribeKey': before.kms['kms:DescribeKey'],
        ...Object.fromEntries(perKey.map(api => [api, before.kms[api] - 1])),
      });
      // Trail reads are unchanged; the readers of the gone key's trails are
      // not analysed, so their bucket policies and IAM are not read again.
      const readerApis = [
        's3:GetBucketPolicy',
        's3:GetPublicAccessBlock',
        'iam:GetAccountAuthorizationDetails',
      ];
      const trailReads = (calls: Record<string, number>) =>
        Object.entries(calls).filter(
          ([api]) => !api.startsWith('kms:') && !readerApis.includes(api),
        );
      expect(trailReads(after.all)).toEqual(trailReads(before.all));
      expect(after.all['s3:GetBucketPolicy']).toBeLessThan(
        before.all['s3:GetBucketPolicy'],
      );

      const trails = after.reports.flatMap(r => r.trails);
      const onDeleted = trails.filter(t => t.kmsKey?.arn === deleted);
      expect(onDeleted.length).toBeGreaterThan(0);
      for (const trail of onDeleted) {
        expect(trail.kmsKey?.policyReadable).toBe(false);
        expect(trail.kmsKey?.state).toBe('Unknown');
        expect(trail.findings.map(f => f.code)).toContain(
          'KMS_KEY_NOT_ENABLED',
        );
      }
    } finally {
      clients.destroy();
    }
  });
});
