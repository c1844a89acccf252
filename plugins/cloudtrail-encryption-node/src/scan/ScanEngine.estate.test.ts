import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import { SCAN_ROLES } from '../__testUtils__/scenarioParts';
import {
  cloudTrailConsoleKeyPolicy,
  computeMinimalCallPlan,
  startSandbox,
  type FaultConfig,
  type Sandbox,
  type Scenario,
} from '@trailguard/aws-sandbox';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from './config';

jest.setTimeout(60_000);

const MGMT = '500000000000';
const MEMBER = '500000000001';
const KEY_IDS: Record<string, string> = {
  'us-east-1': '11111111-1111-4111-8111-111111111111',
  'eu-west-1': '22222222-2222-4222-8222-222222222222',
  'ap-east-1': '33333333-3333-4333-8333-333333333333',
};

const trailArn = (region: string, name: string) =>
  `arn:aws:cloudtrail:${region}:${MEMBER}:trail/${name}`;
const keyArn = (region: string) =>
  `arn:aws:kms:${region}:${MEMBER}:key/${KEY_IDS[region]}`;

/** A member with one trail per Region, each with its own key and bucket. */
function threeRegions(options: { eastEncrypted?: boolean } = {}): Scenario {
  const regions = Object.keys(KEY_IDS);
  return {
    name: 'three-regions',
    organization: { id: 'o-tgpartial001', managementAccount: MGMT },
    credentials: [
      {
        accessKeyId: 'AKIASANDBOXMAIN00001',
        secretAccessKey: 'sandbox-secret',
        accountId: MGMT,
      },
    ],
    accounts: [
      { id: MGMT, name: 'management', roles: SCAN_ROLES },
      { id: MEMBER, name: 'member', ou: 'Workloads/Prod', roles: SCAN_ROLES },
    ],
    keys: regions.map(region => ({
      account: MEMBER,
      region,
      id: KEY_IDS[region],
      rotation: true,
      policy: cloudTrailConsoleKeyPolicy({
        account: MEMBER,
        region,
        trailArn: trailArn(region, `${region}-trail`),
      }),
    })),
    buckets: regions.map(region => ({
      name: `${region}-logs-${MEMBER}`,
      account: MEMBER,
      region,
    })),
    trails: regions.map(region => ({
      account: MEMBER,
      name: `${region}-trail`,
      homeRegion: region,
      bucket: `${region}-logs-${MEMBER}`,
      kmsKey:
        region === 'us-east-1' && options.eastEncrypted === false
          ? undefined
          : keyArn(region),
    })),
  };
}

function configFor(sandbox: Sandbox) {
  return sandboxConfig(sandbox, {
    aws: { requestTimeout: 2000, callTimeout: 5000, maxAttempts: 2 },
  });
}

async function scanMember(
  scenario: Scenario,
  faults: FaultConfig = {},
  organizationId: string | undefined = 'o-tgpartial001',
): Promise<{
  report: AccountReport;
  sandbox: Sandbox;
  byApi: Record<string, number>;
}> {
  const sandbox = await startSandbox({ scenario, faults });
  process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
  const { engine, clients } = createScanEngineFromConfig(configFor(sandbox));
  try {
    const membership = {
      source: 'organization' as const,
      state: 'ACTIVE' as const,
      organizationId: 'o-tgpartial001',
      ouPath: 'Root/Workloads/Prod',
    };
    const [report] = await engine.scan([{ accountId: MEMBER, membership }], {
      organizationId,
    });
    return { report, sandbox, byApi: sandbox.counters().byApi };
  } finally {
    clients.destroy();
    await sandbox.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  }
}

const trailIn = (report: AccountReport, region: string) =>
  report.trails.find(t => t.homeRegion === region)!;

describe('ScanEngine partial results', () => {
  it('keeps the other Regions when an opt-in Region is not enabled', async () => {
    const { report } = await scanMember(threeRegions(), {
      regionNotEnabled: [{ account: MEMBER, region: 'ap-east-1' }],
    });
    expect(report.scanStatus).toBe('partial');
    expect(report.failedRegions).toEqual([
      {
        region: 'ap-east-1',
        reason: expect.stringMatching(/^UnrecognizedClientException: /),
      },
    ]);
    expect(report.error).toContain('ap-east-1');
    expect(report.trails.map(t => t.homeRegion).sort()).toEqual([
      'ap-east-1',
      'eu-west-1',
      'us-east-1',
    ]);
    for (const region of ['us-east-1', 'eu-west-1']) {
      const trail = trailIn(report, region);
      expect(trail.error).toBeUndefined();
      expect(trail.kmsKey?.arn).toBe(keyArn(region));
      expect(trail.findings).toEqual([]);
    }
    const unread = trailIn(report, 'ap-east-1');
    expect(unread).toMatchObject({
      trailArn: trailArn('ap-east-1', 'ap-east-1-trail'),
      name: 'ap-east-1-trail',
      ownerAccountId: MEMBER,
      error: expect.stringMatching(
        /DescribeTrails failed: UnrecognizedClientException/,
      ),
    });
    expect(unread.kmsKey).toBeUndefined();
    // Two good trails do not make the account compliant.
    expect(report.status).toBe('unknown');
    expect(report.membership?.ouPath).toBe('Root/Workloads/Prod');
  });

  it('names a Region whose GetTrailStatus a Region-deny SCP refuses, keeping its trail', async () => {
    const { report } = await scanMember(threeRegions(), {
      accessDenied: [
        {
          account: MEMBER,
          region: 'eu-west-1',
          api: 'cloudtrail:GetTrailStatus',
        },
      ],
    });
    expect(report.scanStatus).toBe('partial');
    expect(report.failedRegions).toEqual([
      {
        region: 'eu-west-1',
        reason: expect.stringMatching(
          /GetTrailStatus failed: AccessDeniedException/,
        ),
      },
    ]);
    expect(report.trails.every(t => !t.error)).toBe(true);
    expect(trailIn(report, 'eu-west-1').encryption).toBe('SSE-KMS');
    expect(report.status).toBe('unknown');
  });

  it('stays non-compliant when a described trail is non-compliant', async () => {
    const { report } = await scanMember(
      threeRegions({ eastEncrypted: false }),
      {
        accessDenied: [{ account: MEMBER, region: 'ap-east-1' }],
      },
    );
    expect(report.scanStatus).toBe('partial');
    expect(report.failedRegions?.map(f => f.region)).toEqual(['ap-east-1']);
    expect(report.failedRegions?.[0].reason).toMatch(/AccessDenied/);
    expect(report.status).toBe('non-compliant');
  });

  it('reads a key named by alias on one trail and by ARN on another once', async () => {
    const scenario = threeRegions();
    scenario.keys![0].aliases = ['alias/shared'];
    scenario.trails!.push({
      account: MEMBER,
      name: 'alias-trail',
      homeRegion: 'us-east-1',
      bucket: `us-east-1-logs-${MEMBER}`,
      kmsKey: `arn:aws:kms:us-east-1:${MEMBER}:alias/shared`,
    });
    const { report, byApi } = await scanMember(scenario);
    const byName = new Map(report.trails.map(t => [t.name, t]));
    expect(byName.get('alias-trail')!.kmsKey?.arn).toBe(keyArn('us-east-1'));
    expect(byName.get('us-east-1-trail')!.kmsKey?.arn).toBe(
      keyArn('us-east-1'),
    );
    // DescribeKey once per name; the rest once per key: 3 keys, 4 names.
    expect(byApi['kms:DescribeKey']).toBe(4);
    expect(byApi['kms:GetKeyPolicy']).toBe(3);
    expect(byApi['kms:GetKeyRotationStatus']).toBe(3);
    expect(byApi['kms:ListGrants']).toBe(3);
    const plan = computeMinimalCallPlan({
      ...scenario,
      accounts: scenario.accounts.filter(a => a.id === MEMBER),
    });
    expect(plan.byApi['kms:DescribeKey']).toBe(4);
    expect(plan.byApi['kms:GetKeyPolicy']).toBe(3);
  });
});

describe('ScanEngine with the estate organization', () => {
  /** One trail whose key also lets "*" of organization `org` decrypt. */
  function pinnedTo(org: string): Scenario {
    const scenario = threeRegions();
    scenario.trails = scenario.trails!.filter(
      t => t.homeRegion === 'us-east-1',
    );
    const key = scenario.keys!.find(k => k.region === 'us-east-1')!;
    const policy = key.policy as { Statement: object[] };
    policy.Statement.push({
      Sid: 'OrgReaders',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': org } },
    });
    return scenario;
  }

  it('reports "*" pinned to a foreign organization as high cross-account access', async () => {
    const { report } = await scanMember(pinnedTo('o-f0re1gn0rg1'));
    expect(report.scanStatus).toBe('ok');
    const finding = report.findings.find(
      f => f.code === 'DECRYPT_CROSS_ACCOUNT',
    );
    expect(finding?.severity).toBe('high');
    expect(finding?.message).toContain('o-f0re1gn0rg1');
    expect(report.status).toBe('non-compliant');
  });

  it('accepts "*" pinned to the estate organization', async () => {
    const { report } = await scanMember(pinnedTo('o-tgpartial001'));
    expect(report.findings).toEqual([]);
    expect(report.status).toBe('compliant');
  });

  it('cannot verify a pin without the organization id', async () => {
    const { report } = await scanMember(pinnedTo('o-tgpartial001'), {}, '');
    expect(report.findings).toEqual([]);
    expect(report.status).toBe('unknown');
  });
});

describe('ScanEngine reading the readers of a member account', () => {
  it('says when neither the trail’s nor the key’s account owns the log bucket', async () => {
    const scenario = threeRegions();
    const east = scenario.buckets!.find(b => b.region === 'us-east-1')!;
    east.account = MGMT;
    const { report, byApi } = await scanMember(scenario);
    const trail = report.trails.find(t => t.homeRegion === 'us-east-1')!;
    expect(trail.readers?.bucketPolicyError).toMatch(
      /owned by neither the trail's account nor the key's account \(500000000001\)/,
    );
    // One refused try for that bucket, one read per other bucket, and Block
    // Public Access only where the owner answered.
    expect(byApi['s3:GetBucketPolicy']).toBe(3);
    expect(byApi['s3:GetPublicAccessBlock']).toBe(2);
    const west = report.trails.find(t => t.homeRegion === 'eu-west-1')!;
    expect(west.readers?.bucketPolicyError).toBeUndefined();
  });

  it('uses the OU path the estate read gave, without ListParents', async () => {
    const sandbox = await startSandbox({ scenario: threeRegions() });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const config = sandboxConfig(sandbox, {
      aws: { maxAttempts: 2 },
      estate: { managementAccountId: MGMT },
    });
    const { engine, clients } = createScanEngineFromConfig(config);
    const scan = (parentIds?: string[]) =>
      engine.scan(
        [{ accountId: MEMBER, ...(parentIds ? { parentIds } : {}) }],
        {
          organizationId: 'o-tgpartial001',
          organizationAccountIds: [MGMT, MEMBER],
        },
      );
    try {
      sandbox.resetCounters();
      await scan();
      const asked = sandbox.counters().byApi;
      // Member → Prod → Workloads → root.
      expect(asked['organizations:ListParents']).toBe(3);
      expect(asked['organizations:ListPolicies']).toBe(2);

      sandbox.resetCounters();
      const [report] = await scan([
        'r-tg01',
        'ou-tg01-workload',
        'ou-tg01-prod',
      ]);
      const given = sandbox.counters().byApi;
      expect(given['organizations:ListParents']).toBeUndefined();
      expect(given['organizations:ListPolicies']).toBe(2);
      expect(report.trails.every(t => t.readers)).toBe(true);
    } finally {
      clients.destroy();
      await sandbox.close();
      delete process.env.AWS_ENDPOINT_URL_STS;
    }
  });
});
