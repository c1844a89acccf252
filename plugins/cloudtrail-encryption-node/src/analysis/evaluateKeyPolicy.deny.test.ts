import {
  CLOUDTRAIL_DESCRIBE,
  CLOUDTRAIL_ENCRYPT,
  CONTEXT,
  decryptFor,
  ORG_ID,
  OTHER,
  OWNER,
  policyOf,
  ROOT_ADMIN,
} from './__fixtures__/keyPolicies';
import { evaluateKeyPolicy, ReadableKeyPolicy } from './evaluateKeyPolicy';
import { isOpenToAnyPrincipal } from './openAccess';

function evaluate(policy: unknown, context = CONTEXT): ReadableKeyPolicy {
  const result = evaluateKeyPolicy(policy, context);
  if (!result.readable) throw new Error(`unreadable: ${result.reason}`);
  return result;
}

const ROLE = `arn:aws:iam::${OWNER}:role/Auditor`;
const OTHER_ROLE = `arn:aws:iam::${OTHER}:role/Reader`;
const OWNER_ROOT = `arn:aws:iam::${OWNER}:root`;
const OTHER_ROOT = `arn:aws:iam::${OTHER}:root`;

const summary = (result: ReadableKeyPolicy) =>
  result.decryptPrincipals.map(p => ({
    principal: p.principal,
    kind: p.kind,
    accountId: p.accountId,
    via: p.via,
    conditions: p.conditions,
  }));

describe('explicit Deny', () => {
  it('removes a named role, and carves it out of its account delegation', () => {
    const result = evaluate(
      policyOf(ROOT_ADMIN, decryptFor({ AWS: ROLE }), {
        Sid: 'DenyAuditor',
        Effect: 'Deny',
        Principal: { AWS: ROLE },
        Action: 'kms:Decrypt',
        Resource: '*',
      }),
    );
    expect(summary(result)).toEqual([
      {
        principal: OWNER_ROOT,
        kind: 'account-root',
        accountId: OWNER,
        via: 'iam-delegation',
        conditions: [
          { operator: 'Deny:Principal', key: 'Principal', values: [ROLE] },
        ],
      },
    ]);
  });

  it('keeps principals a conditional Deny "*" may hit, with the deny condition attached', () => {
    const result = evaluate(
      policyOf(decryptFor({ AWS: [ROLE] }), {
        Sid: 'DenyOutsideOrg',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG_ID } },
      }),
    );
    expect(result.decryptPrincipals).toEqual([
      {
        principal: ROLE,
        kind: 'iam-role',
        accountId: OWNER,
        via: 'key-policy',
        conditions: [
          {
            operator: 'Deny:StringNotEquals',
            key: 'aws:PrincipalOrgID',
            values: [ORG_ID],
          },
        ],
        source: 'Decrypt',
      },
    ]);
  });

  it('does not touch an org-limited "*" the same org deny cannot hit', () => {
    const result = evaluate(
      policyOf(
        decryptFor('*', {
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
        }),
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG_ID } },
        },
      ),
    );
    expect(result.decryptPrincipals).toEqual([
      {
        principal: '*',
        kind: 'any',
        organizationId: ORG_ID,
        via: 'key-policy',
        conditions: [
          {
            operator: 'StringEquals',
            key: 'aws:PrincipalOrgID',
            values: [ORG_ID],
          },
        ],
        source: 'Decrypt',
      },
    ]);
  });

  it('decides a Deny on kms:CallerAccount per principal', () => {
    const result = evaluate(
      policyOf(decryptFor({ AWS: [ROLE, OTHER_ROLE] }), {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringNotEquals: { 'kms:CallerAccount': OWNER } },
      }),
    );
    expect(result.decryptPrincipals.map(p => p.principal)).toEqual([ROLE]);
    expect(result.decryptPrincipals[0].conditions).toEqual([]);
  });

  it('a Deny naming an account removes every principal of it', () => {
    const result = evaluate(
      policyOf(
        decryptFor({ AWS: [OTHER_ROOT, OTHER_ROLE, ROLE] }),
        decryptFor('*', {}, 'Public'),
        {
          Effect: 'Deny',
          Principal: { AWS: OTHER },
          Action: 'kms:Decrypt',
          Resource: '*',
        },
      ),
    );
    expect(summary(result)).toEqual([
      {
        principal: ROLE,
        kind: 'iam-role',
        accountId: OWNER,
        via: 'key-policy',
        conditions: [],
      },
      {
        principal: '*',
        kind: 'any',
        accountId: undefined,
        via: 'key-policy',
        conditions: [
          { operator: 'Deny:Principal', key: 'Principal', values: [OTHER] },
        ],
      },
    ]);
    // Public minus one account is still public.
    expect(isOpenToAnyPrincipal(result.decryptPrincipals[1])).toBe(true);
  });

  it('an unconditional Deny of everything leaves no one, CloudTrail included', () => {
    const result = evaluate(
      policyOf(ROOT_ADMIN, CLOUDTRAIL_ENCRYPT, CLOUDTRAIL_DESCRIBE, {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: '*',
        Resource: '*',
      }),
    );
    expect(result.decryptPrincipals).toEqual([]);
    expect(result.cloudTrailCanEncrypt).toBe(false);
    expect(result.cloudTrailCanDescribe).toBe(false);
  });

  it('a Deny on aws:SourceAccount blocks CloudTrail only for trails of other accounts', () => {
    const policy = policyOf(
      { ...CLOUDTRAIL_ENCRYPT, Condition: undefined },
      {
        Effect: 'Deny',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:SourceAccount': OWNER } },
      },
    );
    expect(evaluate(policy).cloudTrailCanEncrypt).toBe(true);
    expect(
      evaluate(policy, {
        ...CONTEXT,
        trailArn: `arn:aws:cloudtrail:us-east-1:${OTHER}:trail/t`,
        trailOwnerAccountId: OTHER,
      }).cloudTrailCanEncrypt,
    ).toBe(false);
  });

  it('makes CloudTrail access unknown when a Deny depends on an undecidable key', () => {
    const result = evaluate(
      policyOf(CLOUDTRAIL_ENCRYPT, {
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:*',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } },
      }),
    );
    expect(result.cloudTrailCanEncrypt).toBe('unknown');
    expect(result.cloudTrailEncryptConditions).toEqual([
      {
        operator: 'Deny:NotIpAddress',
        key: 'aws:SourceIp',
        values: ['10.0.0.0/8'],
      },
    ]);
  });

  it('an unguarded "deny outside my organization" locks CloudTrail out; the service guard fixes it', () => {
    const denyOutsideOrg = {
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG_ID } },
    };
    expect(
      evaluate(policyOf(CLOUDTRAIL_ENCRYPT, denyOutsideOrg))
        .cloudTrailCanEncrypt,
    ).toBe(false);
    const guarded = {
      ...denyOutsideOrg,
      Condition: {
        ...denyOutsideOrg.Condition,
        Bool: { 'aws:PrincipalIsAWSService': 'false' },
      },
    };
    expect(
      evaluate(policyOf(CLOUDTRAIL_ENCRYPT, guarded)).cloudTrailCanEncrypt,
    ).toBe(true);
  });
});

describe('NotPrincipal', () => {
  it('in an Allow grants everyone but the listed: public, with the exclusion attached', () => {
    const result = evaluate(
      policyOf({
        Sid: 'AllowAllButOther',
        Effect: 'Allow',
        NotPrincipal: { AWS: OTHER_ROOT },
        Action: 'kms:Decrypt',
        Resource: '*',
      }),
    );
    expect(result.decryptPrincipals).toEqual([
      {
        principal: '*',
        kind: 'any',
        via: 'key-policy',
        conditions: [
          { operator: 'NotPrincipal', key: 'Principal', values: [OTHER_ROOT] },
        ],
        source: 'AllowAllButOther',
      },
    ]);
    expect(isOpenToAnyPrincipal(result.decryptPrincipals[0])).toBe(true);
    expect(result.notes).toEqual([
      `AllowAllButOther: Allow with NotPrincipal grants everyone except ${OTHER_ROOT}.`,
    ]);
  });

  it('in a Deny keeps only the listed principals', () => {
    const result = evaluate(
      policyOf(decryptFor({ AWS: [OWNER_ROOT, ROLE, OTHER_ROLE] }), {
        Effect: 'Deny',
        NotPrincipal: { AWS: [OWNER_ROOT, ROLE] },
        Action: 'kms:Decrypt',
        Resource: '*',
      }),
    );
    expect(result.decryptPrincipals.map(p => p.principal)).toEqual([
      OWNER_ROOT,
      ROLE,
    ]);
    expect(result.notes).toEqual([]);
  });

  it('in a Deny narrows a public grant to the listed principals', () => {
    const result = evaluate(
      policyOf(decryptFor('*', {}, 'Public'), {
        Sid: 'OnlyReader',
        Effect: 'Deny',
        NotPrincipal: { AWS: [OTHER_ROLE, OTHER_ROOT] },
        Action: 'kms:*',
        Resource: '*',
      }),
    );
    expect(summary(result)).toEqual([
      {
        principal: OTHER_ROLE,
        kind: 'iam-role',
        accountId: OTHER,
        via: 'key-policy',
        conditions: [],
      },
      {
        principal: OTHER_ROOT,
        kind: 'account-root',
        accountId: OTHER,
        via: 'iam-delegation',
        conditions: [],
      },
    ]);
    expect(result.decryptPrincipals.some(isOpenToAnyPrincipal)).toBe(false);
  });

  it('warns when a Deny exempts a role but not its account', () => {
    const result = evaluate(
      policyOf(decryptFor({ AWS: ROLE }), {
        Sid: 'OnlyAuditor',
        Effect: 'Deny',
        NotPrincipal: { AWS: ROLE },
        Action: 'kms:Decrypt',
        Resource: '*',
      }),
    );
    expect(result.decryptPrincipals.map(p => p.principal)).toEqual([ROLE]);
    expect(result.notes).toEqual([
      `OnlyAuditor: Deny with NotPrincipal lists ${ROLE} but not its account ${OWNER}; AWS may still deny it.`,
    ]);
  });

  it('a conditional Deny NotPrincipal is attached as "denied when …"', () => {
    const result = evaluate(
      policyOf(decryptFor({ AWS: OTHER_ROLE }), {
        Effect: 'Deny',
        NotPrincipal: { AWS: ROLE },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
      }),
    );
    expect(result.decryptPrincipals[0].conditions).toEqual([
      { operator: 'Deny:NotPrincipal', key: 'Principal', values: [ROLE] },
      {
        operator: 'Deny:Bool',
        key: 'aws:MultiFactorAuthPresent',
        values: ['false'],
      },
    ]);
  });
});
