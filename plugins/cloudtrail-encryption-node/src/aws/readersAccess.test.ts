import {
  startSandbox,
  type Sandbox,
  type Scenario,
} from '@trailguard/aws-sandbox';
import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import { createScanEngineFromConfig } from '../scan/config';
import type { AwsAccess } from './AwsAccess';
import { BucketPolicyReader } from './BucketPolicyReader';
import { IamReader } from './IamReader';
import { OrganizationPolicyReader } from './OrganizationPolicyReader';

jest.setTimeout(60_000);

const LOG_ARCHIVE = '222222222222';
const MANAGEMENT = '111111111111';
const ORG_BUCKET = 'tg-org-cloudtrail-logs';

function accessFor(sandbox: Sandbox): AwsAccess {
  return createScanEngineFromConfig(
    sandboxConfig(sandbox, { aws: { maxAttempts: 1 } }),
  ).aws;
}

const decode = (text: unknown) => JSON.parse(decodeURIComponent(String(text)));

describe('the readers’ AWS reads against the demo organization', () => {
  let sandbox: Sandbox;
  let aws: AwsAccess;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    aws = accessFor(sandbox);
  });

  afterAll(async () => {
    aws?.destroy();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('reads an account’s IAM through every page, keeping documents as IAM sends them', async () => {
    const whole = await new IamReader(aws, {
      callTimeoutMs: 5_000,
    }).authorizationDetails(LOG_ARCHIVE);
    sandbox.resetCounters();
    const paged = await new IamReader(aws, {
      callTimeoutMs: 5_000,
      pageSize: 2,
    }).authorizationDetails(LOG_ARCHIVE);
    expect(
      sandbox.counters().byApi['iam:GetAccountAuthorizationDetails'],
    ).toBeGreaterThan(2);
    expect(paged).toEqual(whole);

    const roles = whole.RoleDetailList as Array<Record<string, any>>;
    const reader = roles.find(r => r.RoleName === 'LogArchiveReader')!;
    expect(
      decode(reader.AssumeRolePolicyDocument).Statement[0].Principal,
    ).toEqual({ AWS: `arn:aws:iam::${LOG_ARCHIVE}:root` });
    const users = whole.UserDetailList as Array<Record<string, any>>;
    expect(users.find(u => u.UserName === 'auditor-jane')?.GroupList).toEqual([
      'log-readers',
    ]);
    // Only the default version of a managed policy is kept.
    const policies = whole.Policies as Array<Record<string, any>>;
    const logReader = policies.find(
      p => p.PolicyName === 'CloudTrailLogReader',
    )!;
    expect(logReader.PolicyVersionList).toHaveLength(1);
    expect(logReader.PolicyVersionList[0].IsDefaultVersion).toBe(true);
    expect(
      decode(logReader.PolicyVersionList[0].Document).Statement.map(
        (s: { Sid?: string }) => s.Sid,
      ),
    ).toContain('DecryptLogObjects');
  });

  it('fails with AWS’s AccessDenied where the scan role may not read IAM', async () => {
    await expect(
      new IamReader(aws, { callTimeoutMs: 5_000 }).authorizationDetails(
        '100000000008',
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('reads a bucket policy only as the bucket owner', async () => {
    const buckets = new BucketPolicyReader(aws, { callTimeoutMs: 5_000 });
    const policy = await buckets.bucketPolicy(
      LOG_ARCHIVE,
      'us-east-1',
      ORG_BUCKET,
    );
    expect(JSON.parse(policy!).Statement.map((s: any) => s.Sid)).toContain(
      'AllowLogArchiveReaderToReadLogs',
    );
    await expect(
      buckets.bucketPolicy(MANAGEMENT, 'us-east-1', ORG_BUCKET),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(
      buckets.publicAccessBlock(LOG_ARCHIVE, 'us-east-1', ORG_BUCKET),
    ).resolves.toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it('reads the organization’s SCPs and RCPs with their targets, and OU parents', async () => {
    const orgs = new OrganizationPolicyReader(aws, { callTimeoutMs: 5_000 });
    const policies = await orgs.policies(MANAGEMENT);
    const byName = new Map(policies.map(p => [p.name, p]));
    const deny = byName.get('DenyCloudTrailLogDecryption')!;
    expect(deny.type).toBe('SCP');
    expect(deny.targetIds).toEqual([expect.stringMatching(/^ou-/)]);
    expect((deny.document as any).Statement[0].Effect).toBe('Deny');
    expect(byName.get('FullAWSAccess')?.targetIds).toEqual(
      expect.arrayContaining([expect.stringMatching(/^r-/), MANAGEMENT]),
    );
    expect(byName.get('RCPFullAWSAccess')?.type).toBe('RCP');

    // retired-analytics sits in Workloads/NonProd: the SCP's OU.
    const parent = await orgs.parent(MANAGEMENT, '100000000005');
    expect(parent).toBe(deny.targetIds[0]);
    const grandparent = await orgs.parent(MANAGEMENT, parent!);
    expect(grandparent).toMatch(/^ou-/);
    expect(await orgs.parent(MANAGEMENT, grandparent!)).toMatch(/^r-/);
  });

  it('refuses the guardrails to a member account', async () => {
    await expect(
      new OrganizationPolicyReader(aws, { callTimeoutMs: 5_000 }).policies(
        LOG_ARCHIVE,
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('a log bucket without a policy or Block Public Access', () => {
  const ACCOUNT = '500000000001';
  const scenario: Scenario = {
    name: 'bare-bucket',
    credentials: [
      {
        accessKeyId: 'AKIASANDBOXMAIN00001',
        secretAccessKey: 'sandbox-secret',
        accountId: ACCOUNT,
      },
    ],
    accounts: [
      {
        id: ACCOUNT,
        name: 'member',
        roles: [{ name: 'TrailGuardReadOnly', readOnly: true }],
      },
    ],
    buckets: [
      {
        name: `bare-${ACCOUNT}`,
        account: ACCOUNT,
        region: 'eu-west-1',
        policy: null,
      },
    ],
  };

  it('answers null for both, as the owner in the bucket’s Region', async () => {
    const sandbox = await startSandbox({ scenario });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const aws = accessFor(sandbox);
    try {
      const buckets = new BucketPolicyReader(aws, { callTimeoutMs: 5_000 });
      await expect(
        buckets.bucketPolicy(ACCOUNT, 'eu-west-1', `bare-${ACCOUNT}`),
      ).resolves.toBeNull();
      await expect(
        buckets.publicAccessBlock(ACCOUNT, 'eu-west-1', `bare-${ACCOUNT}`),
      ).resolves.toBeNull();
    } finally {
      aws.destroy();
      await sandbox.close();
      delete process.env.AWS_ENDPOINT_URL_STS;
    }
  });
});
