import {
  CONTEXT,
  consoleDefaultPolicy,
  DOCS_CROSS_ACCOUNT_POLICY,
  KEY_ARN,
  KMS_DEFAULT_POLICY,
  MANAGEMENT,
  ORG_CONTEXT,
  ORG_ID,
  ORG_TRAIL_ARN,
  ORG_TRAIL_POLICY,
  OTHER,
  OWNER,
} from './__fixtures__/keyPolicies';
import { evaluateKeyPolicy, ReadableKeyPolicy } from './evaluateKeyPolicy';

function readable(policy: unknown, context = CONTEXT): ReadableKeyPolicy {
  const result = evaluateKeyPolicy(policy, context);
  if (!result.readable) throw new Error(`unreadable: ${result.reason}`);
  return result;
}

describe('the key policy the CloudTrail console creates', () => {
  const result = readable(JSON.stringify(consoleDefaultPolicy()));

  it('lets CloudTrail encrypt for this trail and describe the key', () => {
    expect(result.statements).toBe(6);
    expect(result.cloudTrailCanEncrypt).toBe(true);
    expect(result.cloudTrailCanDescribe).toBe(true);
    expect(result.cloudTrailEncryptConditions).toEqual([]);
  });

  it('lets the account (via IAM), the named user, and callers from the account decrypt', () => {
    expect(result.decryptPrincipals).toEqual([
      {
        principal: `arn:aws:iam::${OWNER}:root`,
        kind: 'account-root',
        accountId: OWNER,
        via: 'iam-delegation',
        conditions: [],
        source: 'Enable IAM User Permissions',
      },
      {
        principal: `arn:aws:iam::${OWNER}:user/username`,
        kind: 'iam-user',
        accountId: OWNER,
        via: 'key-policy',
        conditions: [],
        source: 'Enable IAM User Permissions',
      },
      {
        // "*" pinned by kms:CallerAccount is that account, not the world;
        // the two identical statements collapse into one entry.
        principal: '*',
        kind: 'account-root',
        accountId: OWNER,
        via: 'iam-delegation',
        conditions: [
          {
            operator: 'StringEquals',
            key: 'kms:CallerAccount',
            values: [OWNER],
          },
        ],
        source:
          'Allow principals in the account to decrypt log files, Enable cross account log decryption',
      },
    ]);
  });

  it('ignores the alias statement and notes nothing unusual', () => {
    expect(result.notes).toEqual([]);
  });

  it('does not let CloudTrail encrypt for another trail (aws:SourceArn pins this one)', () => {
    const other = readable(consoleDefaultPolicy(), {
      ...CONTEXT,
      trailArn: `arn:aws:cloudtrail:us-east-1:${OWNER}:trail/another`,
    });
    expect(other.cloudTrailCanEncrypt).toBe(false);
    expect(other.cloudTrailCanDescribe).toBe(true);
  });

  it('grants nothing to a trail of another account (encryption context pattern)', () => {
    const foreign = readable(consoleDefaultPolicy(), {
      ...CONTEXT,
      trailArn: `arn:aws:cloudtrail:us-east-1:${OTHER}:trail/management-events`,
      trailOwnerAccountId: OTHER,
    });
    expect(foreign.cloudTrailCanEncrypt).toBe(false);
    // Only the unconditional kms:* statement still grants decrypt.
    expect(foreign.decryptPrincipals.map(p => p.principal)).toEqual([
      `arn:aws:iam::${OWNER}:root`,
      `arn:aws:iam::${OWNER}:user/username`,
    ]);
  });
});

describe('the default policy KMS gives a new key', () => {
  it('does not let CloudTrail in, but the account can decrypt through IAM', () => {
    const result = readable(KMS_DEFAULT_POLICY);
    expect(result.cloudTrailCanEncrypt).toBe(false);
    expect(result.cloudTrailCanDescribe).toBe(false);
    expect(result.decryptPrincipals).toEqual([
      {
        principal: `arn:aws:iam::${OWNER}:root`,
        kind: 'account-root',
        accountId: OWNER,
        via: 'iam-delegation',
        conditions: [],
        source: 'Enable IAM User Permissions',
      },
    ]);
  });
});

describe('the CloudTrail guide cross-account policy', () => {
  const result = readable(DOCS_CROSS_ACCOUNT_POLICY);

  it('lets CloudTrail encrypt for both accounts', () => {
    expect(result.cloudTrailCanEncrypt).toBe(true);
    const otherTrail = readable(DOCS_CROSS_ACCOUNT_POLICY, {
      ...CONTEXT,
      trailArn: `arn:aws:cloudtrail:eu-west-1:${OTHER}:trail/theirs`,
      trailOwnerAccountId: OTHER,
    });
    expect(otherTrail.cloudTrailCanEncrypt).toBe(true);
    const thirdTrail = readable(DOCS_CROSS_ACCOUNT_POLICY, {
      ...CONTEXT,
      trailArn: 'arn:aws:cloudtrail:eu-west-1:333333333333:trail/x',
      trailOwnerAccountId: '333333333333',
    });
    expect(thirdTrail.cloudTrailCanEncrypt).toBe(false);
  });

  it('lists the other account (via IAM) and the reader role; Null "false" is satisfied', () => {
    expect(
      result.decryptPrincipals.map(p => [
        p.principal,
        p.kind,
        p.accountId,
        p.via,
        p.conditions,
      ]),
    ).toEqual([
      [
        `arn:aws:iam::${OWNER}:root`,
        'account-root',
        OWNER,
        'iam-delegation',
        [],
      ],
      [
        `arn:aws:iam::${OTHER}:root`,
        'account-root',
        OTHER,
        'iam-delegation',
        [],
      ],
      [
        `arn:aws:iam::${OWNER}:role/CloudTrailReadRole`,
        'iam-role',
        OWNER,
        'key-policy',
        [],
      ],
    ]);
  });
});

describe('an organization trail key', () => {
  const result = readable(ORG_TRAIL_POLICY, ORG_CONTEXT);

  it('evaluates the documented org-trail pattern as allowing CloudTrail', () => {
    expect(result.cloudTrailCanEncrypt).toBe(true);
    expect(result.cloudTrailCanDescribe).toBe(true);
  });

  it('limits "*" to the organization rather than the world', () => {
    expect(result.decryptPrincipals).toEqual([
      {
        principal: `arn:aws:iam::${MANAGEMENT}:root`,
        kind: 'account-root',
        accountId: MANAGEMENT,
        via: 'iam-delegation',
        conditions: [],
        source: 'Enable IAM User Permissions',
      },
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
        source: 'Allow principals in the organization to decrypt log files',
      },
    ]);
  });

  it('does not apply statements whose Resource names another key', () => {
    const other = readable(ORG_TRAIL_POLICY, {
      ...ORG_CONTEXT,
      keyArn: KEY_ARN,
    });
    expect(other.cloudTrailCanEncrypt).toBe(false);
    expect(other.notes).toContain(
      'Allow CloudTrail to encrypt logs: its Resource does not name this key, so it does not apply.',
    );
  });

  it('rejects a different trail of the management account by aws:SourceArn', () => {
    const other = readable(ORG_TRAIL_POLICY, {
      ...ORG_CONTEXT,
      trailArn: ORG_TRAIL_ARN.replace('org-trail', 'other'),
    });
    expect(other.cloudTrailCanEncrypt).toBe(false);
    expect(other.cloudTrailCanDescribe).toBe(false);
  });
});
