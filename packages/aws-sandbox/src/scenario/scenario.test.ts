import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePolicy, policyAllows } from '../policy';
import { cloudTrailKeyAccess } from '../services/cloudtrailKms';
import { SandboxState } from '../state/state';
import { computeMinimalCallPlan, computeRegionSweepCallPlan } from './callPlan';
import { generateOrganization } from './generate';
import { listBundledScenarios, loadScenario, parseScenario } from './load';
import { ScenarioValidationError } from './validate';

const DEMO_ACCOUNTS: Array<[string, string]> = [
  ['111111111111', 'management'],
  ['222222222222', 'log-archive'],
  ['100000000001', 'payments-prod'],
  ['100000000002', 'marketing-sandbox'],
  ['100000000003', 'data-lake'],
  ['100000000004', 'legacy-billing'],
  ['100000000005', 'retired-analytics'],
  ['100000000006', 'checkout-staging'],
  ['100000000007', 'search-dev'],
  ['100000000008', 'public-web'],
  ['100000000009', 'shared-services'],
  ['100000000010', 'identity-prod'],
  ['100000000011', 'ml-platform'],
  ['100000000012', 'acquired-co'],
];

describe('demo scenario', () => {
  const demo = loadScenario('demo');
  const state = SandboxState.fromScenario(demo);
  const trailOf = (account: string) =>
    [...state.trails.values()].find(
      t => t.account === account && !t.organization,
    )!;
  const keyOf = (account: string) =>
    state.keys.get(trailOf(account).kmsKeyArn!)!;

  it('is bundled and has exactly the catalog accounts', () => {
    expect(listBundledScenarios()).toContain('demo');
    expect(demo.accounts.map(a => [a.id, a.name])).toEqual(DEMO_ACCOUNTS);
    expect(demo.organization).toMatchObject({
      id: 'o-tgdemo12345',
      managementAccount: '111111111111',
    });
    for (const account of state.accounts.values()) {
      expect(account.roles.map(r => [r.name, r.readOnly])).toEqual([
        ['TrailGuardReadOnly', true],
        ['TrailGuardRemediation', false],
      ]);
      expect(account.assumeRoleDenied).toBe(account.name === 'acquired-co');
    }
  });

  it('encrypts the organization trail with the log-archive key', () => {
    const org = state.trails.get(
      'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail',
    )!;
    expect(org).toMatchObject({
      organization: true,
      multiRegion: true,
      bucket: 'tg-org-cloudtrail-logs',
    });
    const key = state.keys.get(org.kmsKeyArn!)!;
    expect(key).toMatchObject({
      account: '222222222222',
      region: 'us-east-1',
      rotation: true,
    });
    expect(cloudTrailKeyAccess(key.policy, org)).toEqual({
      generateDataKey: true,
      describeKey: true,
    });
    expect(state.buckets.get(org.bucket)!.account).toBe('222222222222');
  });

  it('holds one misconfiguration per account', () => {
    const access = (account: string) =>
      cloudTrailKeyAccess(keyOf(account).policy, trailOf(account));
    const good = { generateDataKey: true, describeKey: true };
    for (const account of ['100000000001', '100000000009', '100000000011']) {
      expect(access(account)).toEqual(good);
      expect(keyOf(account).state).toBe('Enabled');
    }
    expect(trailOf('100000000002').kmsKeyArn).toBeUndefined();
    expect(keyOf('100000000003').region).toBe('eu-west-1');
    expect(state.buckets.get(trailOf('100000000003').bucket)!.region).toBe(
      'us-east-1',
    );
    expect(keyOf('100000000004').state).toBe('Disabled');
    expect(trailOf('100000000004').latestDeliveryError).toBe(
      'AccessDeniedException',
    );
    expect(keyOf('100000000005').state).toBe('PendingDeletion');
    expect(keyOf('100000000005').deletionDate!.getTime()).toBeGreaterThan(
      Date.now(),
    );
    expect(access('100000000006')).toEqual({
      generateDataKey: false,
      describeKey: true,
    });
    expect(access('100000000007')).toEqual({
      generateDataKey: true,
      describeKey: false,
    });
    expect(keyOf('100000000011').id).toMatch(/^mrk-/);

    const decryptBy = (account: string, principals: string[], context = {}) =>
      policyAllows(parsePolicy(keyOf(account).policy)!, {
        action: 'kms:Decrypt',
        awsPrincipals: principals,
        context,
      });
    const stranger = ['999999999999', 'arn:aws:iam::999999999999:root'];
    expect(decryptBy('100000000008', stranger)).toBe(true);
    expect(
      decryptBy('100000000009', stranger, {
        'kms:CallerAccount': '999999999999',
      }),
    ).toBe(false);
    expect(
      decryptBy('100000000010', [
        'arn:aws:iam::100000000099:role/SecurityAudit',
      ]),
    ).toBe(true);
    expect(
      decryptBy('100000000001', stranger, {
        'kms:CallerAccount': '999999999999',
      }),
    ).toBe(false);
  });
});

describe('scenario validation', () => {
  it('lists every problem with its path', () => {
    const text = [
      'organization: { id: o-bad, managementAccount: "999999999999" }',
      'accounts:',
      '  - { id: "123", name: short }',
      '  - { id: "123456789012", name: ok, roles: [7] }',
      'keys:',
      '  - { account: "123456789012", region: mars, id: not-a-uuid, state: Gone }',
      'trails:',
      '  - { account: "123456789012", name: t1, homeRegion: us-east-1, bucket: b, kmsKey: alias/x }',
    ].join('\n');
    let error: ScenarioValidationError | undefined;
    try {
      parseScenario(text, 'broken.yaml');
    } catch (e) {
      error = e as ScenarioValidationError;
    }
    expect(error).toBeInstanceOf(ScenarioValidationError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        'accounts[0].id: invalid value "123"',
        'accounts[1].roles[0]: must be a name or mapping',
        'organization.id: invalid value "o-bad"',
        'organization.managementAccount: unknown account 999999999999',
        'keys[0].region: invalid value "mars"',
        'keys[0].id: must be a UUID or mrk-<32 hex> (got "not-a-uuid")',
        'keys[0].state: must be one of Enabled, Disabled, PendingDeletion',
        'trails[0].name: invalid value "t1"',
        'trails[0].kmsKey: invalid value "alias/x"',
      ]),
    );
    expect(error!.message).toContain('Invalid scenario broken.yaml');
  });

  it('checks account OUs and states', () => {
    const text = [
      'organization: { id: o-tgestate001, managementAccount: "123456789012" }',
      'accounts:',
      '  - { id: "123456789012", name: a, ou: "Workloads//Prod", state: GONE }',
      '  - { id: "123456789013", name: b, inOrganization: false, ou: Partners }',
      '  - { id: "123456789014", name: c, ou: Workloads/Prod, state: CLOSED }',
    ].join('\n');
    let error: ScenarioValidationError | undefined;
    try {
      parseScenario(text, 'ous.yaml');
    } catch (e) {
      error = e as ScenarioValidationError;
    }
    expect(error!.problems).toEqual([
      'accounts[0].ou: invalid value "Workloads//Prod"',
      'accounts[0].state: invalid value "GONE"',
      'accounts[1].ou: only organization members sit in an OU',
    ]);
  });

  it('reports YAML syntax errors and missing files clearly', () => {
    expect(() => parseScenario('accounts: [', 'x.yaml')).toThrow(
      /YAML syntax error/,
    );
    expect(() => loadScenario('no-such-scenario')).toThrow(/bundled: .*demo/);
    expect(() => loadScenario('/nonexistent/file.yaml')).toThrow(
      /Scenario not found/,
    );
  });

  it('loads scenario files by path and accepts raw policy text', () => {
    const file = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'tg-')),
      'mini.yaml',
    );
    fs.writeFileSync(
      file,
      [
        'accounts: [{ id: "123456789012", name: solo }]',
        'keys:',
        '  - account: "123456789012"',
        '    region: us-east-1',
        '    id: 11111111-2222-4333-8444-555555555555',
        '    policy: "{ not json"',
      ].join('\n'),
    );
    const s = loadScenario(file);
    expect(s.name).toBe('mini');
    expect(
      SandboxState.fromScenario(s).keys.values().next().value!.policy,
    ).toBe('{ not json');
  });
});

describe('generated organizations', () => {
  it('is deterministic for a seed and has the requested size', () => {
    const a = generateOrganization({ accounts: 200, seed: 42 });
    expect(generateOrganization({ accounts: 200, seed: 42 })).toEqual(a);
    expect(generateOrganization({ accounts: 200, seed: 43 })).not.toEqual(a);
    expect(a.accounts).toHaveLength(202);
    const orgTrails = a.trails!.filter(t => t.organization);
    expect(orgTrails).toHaveLength(1);
    const own = a.trails!.filter(t => !t.organization);
    const accountsWithTwo = new Set(
      own
        .filter((t, i) => own.findIndex(o => o.account === t.account) !== i)
        .map(t => t.account),
    );
    expect(accountsWithTwo.size).toBeGreaterThan(10);
    const sseS3 = own.filter(t => !t.kmsKey).length;
    expect(sseS3).toBeGreaterThan(5);
    expect(sseS3).toBeLessThan(40);
  });

  it('gives most accounts a key CloudTrail can use', () => {
    const s = generateOrganization({ accounts: 300, seed: 5 });
    const st = SandboxState.fromScenario(s);
    const firstTrails = [...st.trails.values()].filter(t =>
      t.name.match(/^member-\d+-trail$/),
    );
    const good = firstTrails.filter(t => {
      const k = t.kmsKeyArn && st.keys.get(t.kmsKeyArn);
      const bucket = st.buckets.get(t.bucket)!;
      if (
        !k ||
        k.state !== 'Enabled' ||
        k.region !== bucket.region ||
        !t.isLogging
      )
        return false;
      const a = cloudTrailKeyAccess(k.policy, t);
      return (
        a.generateDataKey &&
        a.describeKey &&
        !t.latestDeliveryError &&
        !k.policy.includes('"Principal": "*"')
      );
    });
    const share = good.length / firstTrails.length;
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(0.7);
  });
});

describe('call plans', () => {
  it('counts the minimal calls for the demo organization', () => {
    const trailsAndKeys = {
      'organizations:ListAccounts': 1,
      'sts:AssumeRole': 14,
      'cloudtrail:ListTrails': 13,
      'cloudtrail:DescribeTrails': 12,
      'cloudtrail:GetTrailStatus': 12,
      'kms:DescribeKey': 11,
      'kms:GetKeyPolicy': 11,
      'kms:GetKeyRotationStatus': 11,
      'kms:ListGrants': 11,
      's3:HeadBucket': 12,
    };
    // Readers: 11 trails with a readable key policy, one bucket each; the
    // central bucket is tried as the management account first (refused),
    // then as log-archive. public-web's key lets "*" decrypt, so every
    // reachable account's IAM is read (13; acquired-co refuses the role).
    const readers = {
      's3:GetBucketPolicy': 12,
      's3:GetPublicAccessBlock': 11,
      'iam:GetAccountAuthorizationDetails': 13,
    };
    // FullAWSAccess and RCPFullAWSAccess sit on the root, 6 OUs and 14
    // accounts (21 targets: 2 pages of 20 each), plus the one custom SCP;
    // ListParents for the 13 members and the 6 OUs above them.
    const guardrails = {
      'organizations:ListPolicies': 2,
      'organizations:DescribePolicy': 3,
      'organizations:ListTargetsForPolicy': 5,
      'organizations:ListParents': 19,
    };
    expect(computeMinimalCallPlan(loadScenario('demo'))).toEqual({
      accounts: 14,
      total: 108 + 36 + 29,
      byApi: { ...trailsAndKeys, ...readers, ...guardrails },
    });
    const { ['organizations:ListParents']: _parents, ...walked } = guardrails;
    expect(
      computeMinimalCallPlan(loadScenario('demo'), { parentsKnown: true }),
    ).toEqual({
      accounts: 14,
      total: 108 + 36 + 10,
      byApi: { ...trailsAndKeys, ...readers, ...walked },
    });
    expect(
      computeMinimalCallPlan(loadScenario('demo'), {
        organizationPolicies: false,
      }).byApi,
    ).toEqual({ ...trailsAndKeys, ...readers });
  });

  it('shows how much a per-Region sweep repeats', () => {
    const demo = loadScenario('demo');
    const sweep = computeRegionSweepCallPlan(demo, { regions: 17 });
    expect(sweep.byApi['cloudtrail:DescribeTrails']).toBe(13 * 17);
    expect(sweep.byApi['cloudtrail:GetTrailStatus']).toBe(24 * 17);
    expect(sweep.byApi['kms:GetKeyPolicy']).toBe(23 * 17);
    const big = generateOrganization({ accounts: 500, seed: 1 });
    const minimal = computeMinimalCallPlan(big);
    expect(computeRegionSweepCallPlan(big).total).toBeGreaterThan(
      minimal.total * 10,
    );
    expect(minimal.byApi['kms:DescribeKey']).toBe(
      new Set(big.trails!.map(t => t.kmsKey).filter(Boolean)).size,
    );
  });
});
