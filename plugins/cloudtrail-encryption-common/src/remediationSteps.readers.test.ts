import type { TrailReaders } from './effectiveReaders';
import type { AccountReport, Finding, TrailReport } from './report';
import { remediationSteps } from './remediationSteps';

const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/main';
const KEY_ARN =
  'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const readers: TrailReaders = {
  readers: [
    {
      principal: 'arn:aws:iam::333333333333:role/External',
      kind: 'iam-role',
      accountId: '333333333333',
      crossAccount: true,
      outsideOrganization: true,
      via: [
        { layer: 'key-policy', policy: 'key policy', statement: 'Partners' },
        { layer: 'bucket-policy', policy: 'bucket policy', statement: '#1' },
      ],
      conditions: [],
    },
    {
      principal: 'arn:aws:iam::111111111111:role/ops/Open',
      kind: 'iam-role',
      accountId: '111111111111',
      crossAccount: false,
      outsideOrganization: false,
      via: [],
      conditions: [],
      broad: true,
      trustedBy: [
        {
          principal: '*',
          kind: 'any',
          outsideOrganization: true,
          conditions: [],
        },
      ],
    },
  ],
  partial: [],
  unresolved: [
    {
      accountId: '555555555555',
      reason: 'AccessDenied',
      missingPermission: 'iam:GetAccountAuthorizationDetails',
    },
  ],
};

const trail: TrailReport = {
  trailArn: TRAIL_ARN,
  name: 'main',
  homeRegion: 'us-east-1',
  isMultiRegionTrail: true,
  isOrganizationTrail: false,
  ownerAccountId: '111111111111',
  s3BucketName: 'logs',
  encryption: 'SSE-KMS',
  kmsKey: {
    arn: KEY_ARN,
    region: 'us-east-1',
    accountId: '111111111111',
    state: 'Enabled',
    policyReadable: false,
  },
  decryptPrincipals: [],
  readers,
  delivery: {},
  findings: [],
};

const report: Pick<AccountReport, 'accountId' | 'membership' | 'trails'> = {
  accountId: '111111111111',
  membership: { organizationId: 'o-a1b2c3d4e5' } as AccountReport['membership'],
  trails: [trail],
};

const steps = (code: Finding['code'], remediation = 'generic') =>
  remediationSteps(
    {
      code,
      severity: 'high',
      message: `${code} on main`,
      remediation,
      trailArn: TRAIL_ARN,
    },
    report,
  );

describe('remediation steps for readers', () => {
  it('names the outside reader and the statements that let it in', () => {
    const [step] = steps('READER_OUTSIDE_ORGANIZATION');
    expect(step.text).toContain('arn:aws:iam::333333333333:role/External');
    expect(step.text).toContain('key policy statement Partners');
    expect(step.text).toContain('bucket policy statement #1');
  });

  it('rewrites the trust policy of a role anyone can assume, with an organization condition', () => {
    const result = steps('READER_ROLE_ASSUMABLE_BY_ANY');
    expect(result.map(s => s.command).filter(Boolean)).toEqual([
      'aws iam get-role --role-name Open --query Role.AssumeRolePolicyDocument > trust-policy.json',
      'aws iam update-assume-role-policy \\\n  --role-name Open \\\n  --policy-document file://trust-policy.json',
    ]);
    expect(result[1].json?.value).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
    });
  });

  it('asks for the missing IAM permission in the unresolved account', () => {
    const [step] = steps('READERS_UNRESOLVED');
    expect(step).toMatchObject({
      accountId: '555555555555',
      command: 'aws iam get-account-authorization-details --max-items 1',
    });
    expect(step.text).toContain('SecurityAudit');
  });

  it('lists the broad readers', () => {
    expect(steps('READERS_VIA_BROAD_POLICY')[0].text).toContain(
      'arn:aws:iam::111111111111:role/ops/Open',
    );
  });

  it('tells a key policy KMS would refuse from one the scan may not read', () => {
    const access = steps('KEY_POLICY_UNREADABLE');
    expect(access[0].command).toMatch(/^aws kms get-key-policy/);
    const document = steps(
      'KEY_POLICY_UNREADABLE',
      'correct it and write it back with kms:PutKeyPolicy',
    );
    expect(
      document.map(s => s.command?.split(' ').slice(0, 3).join(' ')),
    ).toEqual(['aws kms get-key-policy', undefined, 'aws kms put-key-policy']);
    expect(document[1].text).toContain('KEY_POLICY_UNREADABLE on main');
  });
});
