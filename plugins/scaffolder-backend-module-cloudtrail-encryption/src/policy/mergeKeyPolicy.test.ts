import { cloudTrailConsoleKeyPolicy } from '@trailguard/aws-sandbox';
import { mergeCloudTrailStatements, MergeOptions } from './mergeKeyPolicy';

const TRAIL_A = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/a';
const TRAIL_B = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/b';
const OPTIONS: MergeOptions = {
  trailArns: [TRAIL_A],
  readers: [],
  keyArn:
    'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  keyAccountId: '111122223333',
};

const adminOnly = {
  Version: '2012-10-17',
  Id: 'key-default-1',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

const merge = (policy: unknown, options: Partial<MergeOptions> = {}) =>
  mergeCloudTrailStatements(
    typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2),
    { ...OPTIONS, ...options },
  );

describe('mergeCloudTrailStatements', () => {
  it('adds encrypt and describe to the default key policy', () => {
    const result = merge(adminOnly);
    expect(result.changed).toBe(true);
    const policy = JSON.parse(result.policyText);
    expect(policy.Id).toBe('key-default-1');
    expect(policy.Statement.map((s: any) => s.Sid)).toEqual([
      'Enable IAM User Permissions',
      'TrailGuardCloudTrailEncrypt',
      'TrailGuardCloudTrailDescribe',
    ]);
    expect(result.policyText).toContain('\n  "Statement"');
  });

  it('leaves a complete console policy untouched, byte for byte', () => {
    const text = JSON.stringify(
      cloudTrailConsoleKeyPolicy({
        account: '111122223333',
        region: 'us-east-1',
        trailArn: TRAIL_A,
      }),
    );
    expect(merge(text)).toEqual({
      changed: false,
      policyText: text,
      addedStatements: [],
      extendedSids: [],
      diff: '',
      bytes: text.length,
    });
  });

  it('turns a single Statement object into a list, keeping the object first', () => {
    const result = merge({ ...adminOnly, Statement: adminOnly.Statement[0] });
    const policy = JSON.parse(result.policyText);
    expect(policy.Statement[0]).toEqual(adminOnly.Statement[0]);
    expect(policy.Statement).toHaveLength(3);
  });

  it('extends its own statements for another trail instead of duplicating them', () => {
    const first = merge(adminOnly);
    const second = merge(first.policyText, { trailArns: [TRAIL_A, TRAIL_B] });
    expect(second.extendedSids).toEqual([
      'TrailGuardCloudTrailEncrypt',
      'TrailGuardCloudTrailDescribe',
    ]);
    const policy = JSON.parse(second.policyText);
    expect(policy.Statement).toHaveLength(3);
    expect(policy.Statement[1].Condition).toEqual({
      StringEquals: { 'aws:SourceArn': [TRAIL_A, TRAIL_B] },
      StringLike: {
        'kms:EncryptionContext:aws:cloudtrail:arn':
          'arn:aws:cloudtrail:*:111122223333:trail/*',
      },
    });
    expect(merge(second.policyText, { trailArns: [TRAIL_B] }).changed).toBe(
      false,
    );
  });

  it('extends its own statement even when the stored members are reordered', () => {
    const first = JSON.parse(merge(adminOnly).policyText);
    const { Condition, ...rest } = first.Statement[1];
    first.Statement[1] = {
      Condition: {
        StringLike: Condition.StringLike,
        StringEquals: Condition.StringEquals,
      },
      ...rest,
    };
    const second = merge(first, { trailArns: [TRAIL_B] });
    expect(second.extendedSids).toContain('TrailGuardCloudTrailEncrypt');
  });

  it('refuses to widen its own statement once it was edited by hand', () => {
    const first = JSON.parse(merge(adminOnly).policyText);
    first.Statement[1].Condition.StringEquals['aws:SourceAccount'] =
      '111122223333';
    expect(() => merge(first, { trailArns: [TRAIL_B] })).toThrow(
      /TrailGuardCloudTrailEncrypt exists but is not in the form TrailGuard writes/,
    );
  });

  it('refuses when a Deny would still lock CloudTrail out', () => {
    const policy = {
      ...adminOnly,
      Statement: [
        ...adminOnly.Statement,
        {
          Sid: 'DenyOutsideOrg',
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:*',
          Resource: '*',
          Condition: {
            StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc1234567' },
          },
        },
      ],
    };
    expect(() => merge(policy)).toThrow(
      /would not let cloudtrail.amazonaws.com use the key .*fix the policy by hand/,
    );
  });

  it('refuses readers a Deny keeps out', () => {
    const reader = 'arn:aws:iam::111122223333:role/Reader';
    const policy = {
      ...adminOnly,
      Statement: [
        ...adminOnly.Statement,
        {
          Effect: 'Deny',
          Principal: { AWS: reader },
          Action: 'kms:Decrypt',
          Resource: '*',
        },
      ],
    };
    expect(() => merge(policy, { readers: [reader] })).toThrow(
      /would not let arn:aws:iam::111122223333:role\/Reader decrypt/,
    );
  });

  it.each([
    ['not JSON', '{"Statement": [', /not valid JSON/],
    ['not an object', '[]', /not a JSON object/],
    ['no Statement', '{"Version": "2012-10-17"}', /no Statement/],
    [
      'a statement the evaluator rejects',
      '{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}',
      /cannot be evaluated: Statement\[0\]\.Effect/,
    ],
    [
      'a number that would be rewritten',
      JSON.stringify(adminOnly).replace(
        '"Resource":"*"}',
        '"Resource":"*","Condition":{"NumericLessThan":{"kms:x":1.0}}}',
      ),
      /numbers that would be rewritten differently \(1\.0\)/,
    ],
  ])('rejects %s', (_name, text, message) => {
    expect(() => merge(text)).toThrow(message);
  });

  it('refuses duplicate Sids of its own', () => {
    const first = JSON.parse(merge(adminOnly).policyText);
    // Two copies for another trail: trail A is missing, and the Sid is ambiguous.
    first.Statement[1].Condition.StringEquals['aws:SourceArn'] = TRAIL_B;
    first.Statement.push(structuredClone(first.Statement[1]));
    expect(() => merge(first)).toThrow(/2 statements with Sid/);
  });

  it('keeps the compact form of a compact policy', () => {
    const result = merge(JSON.stringify(adminOnly));
    expect(result.policyText).not.toContain('\n');
  });
});
