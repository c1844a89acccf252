import {
  CONTEXT,
  decryptFor,
  KEY_ARN,
  ORG_ID,
  OTHER,
  OWNER,
  policyOf,
} from './__fixtures__/keyPolicies';
import { evaluateKeyPolicy, ReadableKeyPolicy } from './evaluateKeyPolicy';
import { isOpenToAnyPrincipal } from './openAccess';

function evaluate(policy: unknown, context = CONTEXT): ReadableKeyPolicy {
  const result = evaluateKeyPolicy(policy, context);
  if (!result.readable) throw new Error(`unreadable: ${result.reason}`);
  return result;
}

const ROLE = `arn:aws:iam::${OWNER}:role/service-role/Auditor`;
const readers = (...statements: object[]) =>
  evaluate(policyOf(...statements)).decryptPrincipals;

describe('actions', () => {
  it.each([
    ['kms:Decrypt', true],
    ['KMS:decrypt', true],
    ['kms:Decrypt*', true],
    ['kms:De*', true],
    ['kms:?ecrypt', true],
    ['kms:*', true],
    ['*', true],
    ['kms:Encrypt', false],
    ['kms:ReEncrypt*', false],
    ['s3:*', false],
  ])('Action %s grants decrypt: %s', (action, grants) => {
    const result = readers({ ...decryptFor({ AWS: ROLE }), Action: action });
    expect(result.length).toBe(grants ? 1 : 0);
  });

  it('NotAction grants everything not listed, and is noted', () => {
    const result = evaluate(
      policyOf(
        {
          Sid: 'AllButAdmin',
          Effect: 'Allow',
          Principal: { AWS: ROLE },
          NotAction: ['kms:Put*', 'kms:ScheduleKeyDeletion'],
          Resource: '*',
        },
        {
          Sid: 'CloudTrailAllButDecrypt',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          NotAction: 'kms:Decrypt',
          Resource: '*',
        },
      ),
    );
    expect(result.decryptPrincipals.map(p => p.principal)).toEqual([ROLE]);
    expect(result.cloudTrailCanEncrypt).toBe(true);
    expect(result.cloudTrailCanDescribe).toBe(true);
    expect(result.notes).toEqual([
      'AllButAdmin: uses NotAction.',
      'CloudTrailAllButDecrypt: uses NotAction.',
    ]);
  });
});

describe('resources', () => {
  it('applies "*" and the key ARN, not other resources; NotResource is noted', () => {
    expect(
      readers({ ...decryptFor({ AWS: ROLE }), Resource: KEY_ARN }),
    ).toHaveLength(1);
    expect(
      readers({
        ...decryptFor({ AWS: ROLE }),
        Resource: `arn:aws:kms:*:${OWNER}:key/*`,
      }),
    ).toHaveLength(1);
    expect(
      readers({
        ...decryptFor({ AWS: ROLE }),
        Resource: 'arn:aws:s3:::bucket',
      }),
    ).toHaveLength(0);
    const notResource = evaluate(
      policyOf({
        Sid: 'Odd',
        Effect: 'Allow',
        Principal: { AWS: ROLE },
        Action: 'kms:Decrypt',
        NotResource: 'arn:aws:kms:us-east-1:111111111111:key/other',
      }),
    );
    expect(notResource.decryptPrincipals).toHaveLength(1);
    expect(notResource.notes).toEqual(['Odd: uses NotResource.']);
  });
});

describe('principal forms', () => {
  it('classifies account ids, roles, users, sessions, services and federated principals', () => {
    const result = readers(
      decryptFor({
        AWS: [
          OTHER,
          ROLE,
          `arn:aws:iam::${OWNER}:user/alice`,
          `arn:aws:sts::${OTHER}:assumed-role/Reader/alice`,
        ],
        Service: ['cloudtrail.amazonaws.com'],
        Federated: `arn:aws:iam::${OWNER}:saml-provider/Okta`,
      }),
    );
    expect(result.map(p => [p.principal, p.kind, p.accountId, p.via])).toEqual([
      [OTHER, 'account-root', OTHER, 'iam-delegation'],
      [ROLE, 'iam-role', OWNER, 'key-policy'],
      [`arn:aws:iam::${OWNER}:user/alice`, 'iam-user', OWNER, 'key-policy'],
      [
        `arn:aws:sts::${OTHER}:assumed-role/Reader/alice`,
        'iam-role',
        OTHER,
        'key-policy',
      ],
      ['cloudtrail.amazonaws.com', 'service', undefined, 'key-policy'],
      [
        `arn:aws:iam::${OWNER}:saml-provider/Okta`,
        'federated',
        OWNER,
        'key-policy',
      ],
    ]);
  });

  it('drops the unique id of a deleted principal, with a note', () => {
    const result = evaluate(
      policyOf(decryptFor({ AWS: 'AROAEXAMPLEID1234567' })),
    );
    expect(result.decryptPrincipals).toEqual([]);
    expect(result.notes).toEqual([
      'Decrypt: AROAEXAMPLEID1234567 is the id of a deleted IAM principal; it matches no one.',
    ]);
  });

  it('merges the same principal granted twice under the same conditions', () => {
    const result = readers(
      decryptFor({ AWS: OTHER }, {}, 'First'),
      decryptFor({ AWS: `arn:aws:iam::${OTHER}:root` }, {}, 'Second'),
    );
    expect(result).toEqual([
      {
        principal: OTHER,
        kind: 'account-root',
        accountId: OTHER,
        via: 'iam-delegation',
        conditions: [],
        source: 'First, Second',
      },
    ]);
  });
});

describe('"*" and what restricts it', () => {
  it('unrestricted "*" is public', () => {
    const [p] = readers(decryptFor({ AWS: '*' }));
    expect(p).toEqual({
      principal: '*',
      kind: 'any',
      via: 'key-policy',
      conditions: [],
      source: 'Decrypt',
    });
    expect(isOpenToAnyPrincipal(p)).toBe(true);
  });

  it('kms:CallerAccount with several accounts gives one account principal each', () => {
    const result = readers(
      decryptFor('*', {
        Condition: { StringEquals: { 'kms:CallerAccount': [OWNER, OTHER] } },
      }),
    );
    expect(
      result.map(p => [p.principal, p.kind, p.accountId, p.via, p.conditions]),
    ).toEqual([
      [
        '*',
        'account-root',
        OWNER,
        'iam-delegation',
        [
          {
            operator: 'StringEquals',
            key: 'kms:CallerAccount',
            values: [OWNER],
          },
        ],
      ],
      [
        '*',
        'account-root',
        OTHER,
        'iam-delegation',
        [
          {
            operator: 'StringEquals',
            key: 'kms:CallerAccount',
            values: [OTHER],
          },
        ],
      ],
    ]);
    expect(result.some(isOpenToAnyPrincipal)).toBe(false);
  });

  it('aws:PrincipalAccount pins "*" to that account', () => {
    const [p] = readers(
      decryptFor('*', {
        Condition: { StringEquals: { 'aws:PrincipalAccount': OTHER } },
      }),
    );
    expect([p.kind, p.accountId]).toEqual(['account-root', OTHER]);
  });

  it('aws:PrincipalOrgID and aws:PrincipalOrgPaths limit "*" to the organization', () => {
    const [byId] = readers(
      decryptFor('*', {
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
      }),
    );
    expect([
      byId.kind,
      byId.organizationId,
      isOpenToAnyPrincipal(byId),
    ]).toEqual(['any', ORG_ID, false]);
    const paths = [`${ORG_ID}/r-ab12/ou-ab12-11111111/*`];
    const [byPath] = readers(
      decryptFor('*', {
        Condition: {
          'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': paths },
        },
      }),
    );
    expect(byPath).toEqual({
      principal: '*',
      kind: 'any',
      organizationId: ORG_ID,
      via: 'key-policy',
      conditions: [
        {
          operator: 'ForAnyValue:StringLike',
          key: 'aws:PrincipalOrgPaths',
          values: paths,
        },
      ],
      source: 'Decrypt',
    });
  });

  it('combines an account pin with an organization pin', () => {
    const [p] = readers(
      decryptFor('*', {
        Condition: {
          StringEquals: {
            'kms:CallerAccount': OTHER,
            'aws:PrincipalOrgID': ORG_ID,
          },
        },
      }),
    );
    expect(p).toMatchObject({
      kind: 'account-root',
      accountId: OTHER,
      organizationId: ORG_ID,
    });
    expect(p.conditions).toHaveLength(2);
  });

  it('does not treat negated or IfExists account conditions as pins', () => {
    const [negated] = readers(
      decryptFor('*', {
        Condition: { StringNotEquals: { 'kms:CallerAccount': OTHER } },
      }),
    );
    expect(negated.kind).toBe('any');
    expect(isOpenToAnyPrincipal(negated)).toBe(true);
    const [ifExists] = readers(
      decryptFor('*', {
        Condition: { StringEqualsIfExists: { 'kms:CallerAccount': OWNER } },
      }),
    );
    expect(ifExists.kind).toBe('any');
    expect(ifExists.conditions).toEqual([
      {
        operator: 'StringEqualsIfExists',
        key: 'kms:CallerAccount',
        values: [OWNER],
      },
    ]);
    expect(isOpenToAnyPrincipal(ifExists)).toBe(false);
  });
});
