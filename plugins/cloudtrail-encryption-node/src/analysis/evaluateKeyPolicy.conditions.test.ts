import {
  CLOUDTRAIL_DESCRIBE,
  CLOUDTRAIL_ENCRYPT,
  CONTEXT,
  decryptFor,
  ORG_ID,
  OTHER,
  OWNER,
  policyOf,
  TRAIL_ARN,
} from './__fixtures__/keyPolicies';
import { evaluateKeyPolicy, ReadableKeyPolicy } from './evaluateKeyPolicy';

function evaluate(policy: unknown, context = CONTEXT): ReadableKeyPolicy {
  const result = evaluateKeyPolicy(policy, context);
  if (!result.readable) throw new Error(`unreadable: ${result.reason}`);
  return result;
}

const ROLE = `arn:aws:iam::${OWNER}:role/service-role/Auditor`;
const readers = (...statements: object[]) =>
  evaluate(policyOf(...statements)).decryptPrincipals;

describe('conditions on decrypt', () => {
  const withCondition = (
    condition: object,
    principal: unknown = { AWS: ROLE },
  ) => readers(decryptFor(principal, { Condition: condition }));

  it('drops principals whose conditions fail for the log-file context', () => {
    expect(
      withCondition({
        StringEquals: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `${TRAIL_ARN}-other`,
        },
      }),
    ).toEqual([]);
    expect(
      withCondition({
        Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'true' },
      }),
    ).toEqual([]);
    expect(
      withCondition({
        StringEquals: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b' },
      }),
    ).toEqual([]);
    expect(
      withCondition({
        'ForAnyValue:StringEquals': {
          'kms:EncryptionContextKeys': 'purpose',
        },
      }),
    ).toEqual([]);
    expect(
      withCondition({
        'ForAllValues:StringEquals': {
          'kms:EncryptionContextKeys': 'aws:cloudtrail:arn',
        },
      }),
    ).toEqual([]);
    expect(
      withCondition({ StringEquals: { 'kms:CallerAccount': OTHER } }),
    ).toEqual([]);
    expect(
      withCondition({ StringEquals: { 'aws:SourceArn': TRAIL_ARN } }),
    ).toEqual([]);
  });

  it('lets decided-true conditions disappear', () => {
    const [p] = withCondition({
      StringEquals: {
        'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL_ARN,
        'kms:CallerAccount': OWNER,
      },
      'ForAllValues:StringEquals': {
        'kms:EncryptionContextKeys': ['aws:cloudtrail:arn', 'aws:s3:arn'],
      },
      'ForAnyValue:StringEquals': {
        'kms:EncryptionContextKeys': 'aws:s3:arn',
      },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::*' },
      ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${OWNER}:role/*` },
      Null: { 'aws:SourceArn': 'true' },
    });
    expect(p.conditions).toEqual([]);
  });

  it('keeps conditions on keys the scan cannot know, in policy order', () => {
    const [p] = withCondition({
      StringEquals: { 'aws:PrincipalTag/team': ['security', 'audit'] },
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
      StringLike: {
        'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${OWNER}:trail/*`,
      },
    });
    expect(p.conditions).toEqual([
      {
        operator: 'StringEquals',
        key: 'aws:PrincipalTag/team',
        values: ['security', 'audit'],
      },
      { operator: 'Bool', key: 'aws:MultiFactorAuthPresent', values: ['true'] },
      {
        operator: 'IpAddress',
        key: 'aws:SourceIp',
        values: ['203.0.113.0/24'],
      },
    ]);
  });

  it('keeps an unknown operator attached and notes it', () => {
    const result = evaluate(
      policyOf(
        decryptFor(
          { AWS: ROLE },
          { Condition: { StringAlmostEquals: { 'kms:CallerAccount': OWNER } } },
        ),
      ),
    );
    expect(result.decryptPrincipals[0].conditions).toEqual([
      {
        operator: 'StringAlmostEquals',
        key: 'kms:CallerAccount',
        values: [OWNER],
      },
    ]);
    expect(result.notes).toEqual([
      `Decrypt: Unknown condition operator "StringAlmostEquals" on kms:CallerAccount: kept as an unevaluated condition.`,
    ]);
  });

  it('keeps kms:ViaService attached, with a note', () => {
    const result = evaluate(
      policyOf(
        decryptFor(
          { AWS: ROLE },
          {
            Condition: {
              StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
            },
          },
        ),
      ),
    );
    expect(result.decryptPrincipals[0].conditions).toEqual([
      {
        operator: 'StringEquals',
        key: 'kms:ViaService',
        values: ['s3.us-east-1.amazonaws.com'],
      },
    ]);
    expect(result.notes[0]).toMatch(/^Decrypt: depends on kms:ViaService/);
  });
});

describe('CloudTrail service access', () => {
  const encrypt = (condition?: object, extra: object[] = []) =>
    evaluate(
      policyOf(
        { ...CLOUDTRAIL_ENCRYPT, Condition: condition },
        CLOUDTRAIL_DESCRIBE,
        ...extra,
      ),
    );

  it('checks the documented condition keys', () => {
    expect(
      encrypt({ StringEquals: { 'aws:SourceAccount': OWNER } })
        .cloudTrailCanEncrypt,
    ).toBe(true);
    expect(
      encrypt({ StringEquals: { 'aws:SourceAccount': OTHER } })
        .cloudTrailCanEncrypt,
    ).toBe(false);
    expect(
      encrypt({
        ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${OWNER}:trail/*` },
      }).cloudTrailCanEncrypt,
    ).toBe(true);
    expect(
      encrypt({ StringEqualsIfExists: { 'aws:SourceArn': `${TRAIL_ARN}x` } })
        .cloudTrailCanEncrypt,
    ).toBe(false);
    expect(
      encrypt({ Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' } })
        .cloudTrailCanEncrypt,
    ).toBe(true);
  });

  it('is unknown when the only Allow depends on an undecidable condition', () => {
    const result = encrypt({ StringEquals: { 'aws:SourceOrgID': ORG_ID } });
    expect(result.cloudTrailCanEncrypt).toBe('unknown');
    expect(result.cloudTrailEncryptConditions).toEqual([
      { operator: 'StringEquals', key: 'aws:SourceOrgID', values: [ORG_ID] },
    ]);
    expect(result.cloudTrailCanDescribe).toBe(true);
  });

  it('is true when one Allow is certain even if another is undecided', () => {
    const result = encrypt(undefined, [
      {
        ...CLOUDTRAIL_ENCRYPT,
        Sid: 'Maybe',
        Condition: { StringEquals: { 'kms:ViaService': 'x' } },
      },
    ]);
    expect(result.cloudTrailCanEncrypt).toBe(true);
  });

  it('accepts "*" and service lists, and not other services', () => {
    expect(encrypt(undefined).cloudTrailCanEncrypt).toBe(true);
    const viaStar = evaluate(
      policyOf({ ...CLOUDTRAIL_ENCRYPT, Principal: '*', Condition: undefined }),
    );
    expect(viaStar.cloudTrailCanEncrypt).toBe(true);
    const list = evaluate(
      policyOf({
        ...CLOUDTRAIL_ENCRYPT,
        Principal: {
          Service: ['logs.amazonaws.com', 'CloudTrail.amazonaws.com'],
        },
      }),
    );
    expect(list.cloudTrailCanEncrypt).toBe(true);
    const other = evaluate(
      policyOf({
        ...CLOUDTRAIL_ENCRYPT,
        Principal: { Service: 'logs.amazonaws.com' },
      }),
    );
    expect(other.cloudTrailCanEncrypt).toBe(false);
  });

  it('describes without an encryption context', () => {
    const result = evaluate(
      policyOf({
        ...CLOUDTRAIL_DESCRIBE,
        Condition: {
          Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' },
        },
      }),
    );
    expect(result.cloudTrailCanDescribe).toBe(false);
  });
});

describe('the log file encryption context (aws:cloudtrail:arn and aws:s3:arn)', () => {
  const LOGGED = {
    ...CONTEXT,
    bucketName: 'trail-logs',
    bucketRegion: 'us-east-1',
    isOrganizationTrail: false,
  };
  const encryptWhen = (condition: object) =>
    evaluate(policyOf({ ...CLOUDTRAIL_ENCRYPT, Condition: condition }), LOGGED)
      .cloudTrailCanEncrypt;

  it('decides CloudTrail encrypt conditions on the object ARN where the pattern decides', () => {
    expect(
      encryptWhen({
        StringLike: {
          'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::trail-logs/*',
        },
      }),
    ).toBe(true);
    expect(
      encryptWhen({
        StringLike: {
          'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::other/*',
        },
      }),
    ).toBe(false);
    expect(
      encryptWhen({
        StringLike: {
          'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::trail-logs/AWSLogs/${OWNER}/CloudTrail/eu-west-1/*`,
        },
      }),
    ).toBe('unknown');
    expect(
      encryptWhen({
        'ForAllValues:StringEquals': {
          'kms:EncryptionContextKeys': ['aws:cloudtrail:arn', 'aws:s3:arn'],
        },
      }),
    ).toBe(true);
    expect(
      encryptWhen({
        'ForAllValues:StringEquals': {
          'kms:EncryptionContextKeys': ['aws:cloudtrail:arn'],
        },
      }),
    ).toBe(false);
  });

  it('decides kms:ViaService for readers once the bucket Region is known', () => {
    const via = (service: string) =>
      evaluateKeyPolicy(
        policyOf(
          decryptFor(
            { AWS: ROLE },
            { Condition: { StringEquals: { 'kms:ViaService': service } } },
          ),
        ),
        LOGGED,
      );
    const s3 = via('s3.us-east-1.amazonaws.com');
    expect(s3.readable && s3.decryptPrincipals[0].conditions).toEqual([]);
    expect(s3.readable && s3.notes).toEqual([]);
    const ec2 = via('ec2.us-east-1.amazonaws.com');
    expect(ec2.readable && ec2.decryptPrincipals).toEqual([]);
  });
});
