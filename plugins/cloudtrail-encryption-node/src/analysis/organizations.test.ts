import { assessAccount } from './assessAccount';
import { assessTrail } from './assessTrail';
import { evaluateKeyPolicy, type ReadableKeyPolicy } from './evaluateKeyPolicy';
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
import { codes, only, withPolicy } from './__fixtures__/trails';

const FOREIGN_ORG = 'o-f0re1gn0rg1';
const OURS = { organizationId: ORG_ID, organizationAccountIds: [OWNER, OTHER] };

/** A healthy key policy plus one more statement. */
const keyWith = (...statements: object[]) =>
  policyOf(ROOT_ADMIN, CLOUDTRAIL_ENCRYPT, CLOUDTRAIL_DESCRIBE, ...statements);

const pinnedTo = (org: string) =>
  decryptFor('*', {
    Condition: { StringEquals: { 'aws:PrincipalOrgID': org } },
  });

function assess(policy: object, organization: object = OURS) {
  const report = assessTrail({ ...withPolicy(policy), ...organization });
  const organizationId = (organization as { organizationId?: string })
    .organizationId;
  return {
    report,
    status: assessAccount({ trails: [report], organizationId }).status,
  };
}

function evaluate(policy: object, organization: object = OURS) {
  return evaluateKeyPolicy(policy, {
    ...CONTEXT,
    ...organization,
  }) as ReadableKeyPolicy;
}

describe('organizations in key-policy evaluation', () => {
  it('"*" pinned to a foreign organization is high cross-account access: non-compliant', () => {
    const { report, status } = assess(keyWith(pinnedTo(FOREIGN_ORG)));
    const finding = only(report, 'DECRYPT_CROSS_ACCOUNT');
    expect(finding.severity).toBe('high');
    expect(finding.message).toContain(`organization ${FOREIGN_ORG}`);
    expect(finding.message).toContain(ORG_ID);
    expect(codes(report)).not.toContain('DECRYPT_OPEN_TO_ANY_PRINCIPAL');
    expect(status).toBe('non-compliant');
  });

  it('"*" pinned to our organization is restricted to it: no finding, compliant', () => {
    const { report, status } = assess(keyWith(pinnedTo(ORG_ID)));
    expect(report.findings).toEqual([]);
    expect(report.decryptPrincipals).toContainEqual(
      expect.objectContaining({ principal: '*', organizationId: ORG_ID }),
    );
    expect(status).toBe('compliant');
  });

  it('without our organization id a pin cannot be verified: kept as a condition, status unknown', () => {
    const { report, status } = assess(keyWith(pinnedTo(FOREIGN_ORG)), {});
    expect(report.findings).toEqual([]);
    const pinned = report.decryptPrincipals.find(p => p.principal === '*')!;
    expect(pinned.conditions).toContainEqual({
      operator: 'StringEquals',
      key: 'aws:PrincipalOrgID',
      values: [FOREIGN_ORG],
    });
    expect(status).toBe('unknown');
  });

  it('decides aws:PrincipalOrgPaths by its organization part', () => {
    const foreignPath = decryptFor('*', {
      Condition: {
        'ForAnyValue:StringLike': {
          'aws:PrincipalOrgPaths': [`${FOREIGN_ORG}/r-ab12/ou-ab12-11111111/*`],
        },
      },
    });
    expect(codes(assess(keyWith(foreignPath)).report)).toEqual([
      'DECRYPT_CROSS_ACCOUNT',
    ]);
    const ourPath = decryptFor('*', {
      Condition: {
        'ForAnyValue:StringLike': {
          'aws:PrincipalOrgPaths': [`${ORG_ID}/r-ab12/ou-ab12-11111111/*`],
        },
      },
    });
    expect(assess(keyWith(ourPath)).status).toBe('compliant');

    // A member of our organization cannot be under a foreign path.
    const roleOnForeignPath = decryptFor(
      { AWS: `arn:aws:iam::${OTHER}:role/Reader` },
      {
        Condition: {
          'ForAnyValue:StringLike': {
            'aws:PrincipalOrgPaths': [`${FOREIGN_ORG}/*`],
          },
        },
      },
    );
    const readers = evaluate(keyWith(roleOnForeignPath)).decryptPrincipals;
    expect(readers.map(p => p.principal)).not.toContain(
      `arn:aws:iam::${OTHER}:role/Reader`,
    );
    // Without our organization the same statement stays conditional.
    const unknown = evaluate(keyWith(roleOnForeignPath), {}).decryptPrincipals;
    expect(unknown).toContainEqual(
      expect.objectContaining({
        principal: `arn:aws:iam::${OTHER}:role/Reader`,
        conditions: [expect.objectContaining({ key: 'aws:PrincipalOrgPaths' })],
      }),
    );
  });

  it('a Deny outside our organization no longer hangs over our members', () => {
    const denyOutside = {
      Sid: 'DenyOutsideOrg',
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG_ID } },
    };
    const role = `arn:aws:iam::${OTHER}:role/Reader`;
    const known = evaluate(keyWith(decryptFor({ AWS: role }), denyOutside));
    expect(known.decryptPrincipals.find(p => p.principal === role)).toEqual(
      expect.objectContaining({ conditions: [] }),
    );
    // It still removes "*" pinned to a foreign organization.
    const foreign = evaluate(keyWith(pinnedTo(FOREIGN_ORG), denyOutside));
    expect(foreign.decryptPrincipals.map(p => p.principal)).not.toContain('*');
  });

  it('decides aws:SourceOrgID and aws:ResourceOrgID on the CloudTrail service statements', () => {
    const encryptIn = (key: string, org: string) =>
      policyOf(ROOT_ADMIN, CLOUDTRAIL_DESCRIBE, {
        ...CLOUDTRAIL_ENCRYPT,
        Condition: {
          ...CLOUDTRAIL_ENCRYPT.Condition,
          StringEquals: { [key]: org },
        },
      });
    for (const key of ['aws:SourceOrgID', 'aws:ResourceOrgID']) {
      expect(evaluate(encryptIn(key, ORG_ID)).cloudTrailCanEncrypt).toBe(true);
      expect(evaluate(encryptIn(key, FOREIGN_ORG)).cloudTrailCanEncrypt).toBe(
        false,
      );
      expect(evaluate(encryptIn(key, ORG_ID), {}).cloudTrailCanEncrypt).toBe(
        'unknown',
      );
    }
    const ours = assess(encryptIn('aws:SourceOrgID', ORG_ID));
    expect(ours.report.cloudTrailCanEncrypt).toBe(true);
    expect(ours.status).toBe('compliant');
    expect(
      codes(assess(encryptIn('aws:SourceOrgID', FOREIGN_ORG)).report),
    ).toContain('CLOUDTRAIL_CANNOT_ENCRYPT');
  });

  it('an organization trail seen from a member counts its owner as a member', () => {
    const management = '999988887777';
    const input = withPolicy(
      policyOf(ROOT_ADMIN, CLOUDTRAIL_DESCRIBE, {
        ...CLOUDTRAIL_ENCRYPT,
        Condition: { StringEquals: { 'aws:SourceOrgID': ORG_ID } },
      }),
    );
    const report = assessTrail({
      ...input,
      trail: {
        ...input.trail,
        isOrganizationTrail: true,
        ownerAccountId: management,
        trailArn: `arn:aws:cloudtrail:us-east-1:${management}:trail/org-trail`,
      },
      organizationId: ORG_ID,
      organizationAccountIds: [OWNER],
    });
    expect(report.cloudTrailCanEncrypt).toBe(true);
  });

  it('an account outside the estate is high cross-account access unless trusted', () => {
    const outsider = '333333333333';
    const policy = keyWith(
      decryptFor({ AWS: `arn:aws:iam::${outsider}:role/Auditor` }),
    );
    const { report, status } = assess(policy);
    expect(only(report, 'DECRYPT_CROSS_ACCOUNT').severity).toBe('high');
    expect(status).toBe('non-compliant');
    const trusted = assessTrail({
      ...withPolicy(policy),
      ...OURS,
      trustedAccountIds: [outsider],
    });
    expect(trusted.findings).toEqual([]);
  });
});
