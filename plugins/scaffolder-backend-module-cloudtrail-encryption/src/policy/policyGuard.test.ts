import { assertSafeKeyPolicyChange } from './policyGuard';
import { statementDiff } from './statementDiff';

const ACCOUNT = '100000000006';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/099aa6ce-f66d-422e-a7e7-91d793764558`;
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/checkout-trail`;
const OPTIONS = { keyArn: KEY, keyAccountId: ACCOUNT, trailArn: TRAIL };

const ROOT = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'kms:*',
  Resource: '*',
};
const ADMIN_ROLE = {
  Sid: 'Key administrators',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin` },
  Action: ['kms:PutKeyPolicy', 'kms:DescribeKey'],
  Resource: '*',
};
const READER = {
  Sid: 'Readers',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Auditor` },
  Action: 'kms:Decrypt',
  Resource: '*',
};
const OPEN = {
  Sid: 'Anyone',
  Effect: 'Allow',
  Principal: '*',
  Action: 'kms:Decrypt',
  Resource: '*',
};

const policy = (...statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('assertSafeKeyPolicyChange', () => {
  it('accepts adding a statement that keeps everyone', () => {
    expect(() =>
      assertSafeKeyPolicyChange(
        policy(ROOT, ADMIN_ROLE, READER),
        policy(ROOT, ADMIN_ROLE, READER, {
          ...READER,
          Sid: 'More readers',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Other` },
        }),
        OPTIONS,
      ),
    ).not.toThrow();
  });

  it('refuses a statement without Action, or with a Resource other than "*"', () => {
    const { Action: _, ...noAction } = READER;
    expect(() =>
      assertSafeKeyPolicyChange(
        policy(ROOT),
        policy(ROOT, { ...noAction, Sid: 'NoAction' }),
        OPTIONS,
      ),
    ).toThrow(/has neither Action nor NotAction/);
    expect(() =>
      assertSafeKeyPolicyChange(
        policy(ROOT),
        policy(ROOT, { ...READER, Resource: KEY }),
        OPTIONS,
      ),
    ).toThrow(/statement Readers would have Resource .*must be "\*"/);
  });

  it('refuses to lock out the root delegation or an administrator role', () => {
    expect(() =>
      assertSafeKeyPolicyChange(
        policy(ROOT, ADMIN_ROLE),
        policy(ADMIN_ROLE),
        OPTIONS,
      ),
    ).toThrow(
      `would lock arn:aws:iam::${ACCOUNT}:root out of administering the key`,
    );
    expect(() =>
      assertSafeKeyPolicyChange(
        policy(ROOT, ADMIN_ROLE),
        policy(ROOT, ADMIN_ROLE, {
          Sid: 'Deny',
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin` },
          Action: 'kms:PutKeyPolicy',
          Resource: '*',
        }),
        OPTIONS,
      ),
    ).toThrow(/would lock arn:aws:iam::100000000006:role\/KeyAdmin out/);
  });

  it('refuses to remove a decrypt reader, except the "*" that narrowing is for', () => {
    expect(() =>
      assertSafeKeyPolicyChange(policy(ROOT, READER), policy(ROOT), OPTIONS),
    ).toThrow(
      `would stop arn:aws:iam::${ACCOUNT}:role/Auditor from decrypting the log files`,
    );
    const narrowed = {
      ...OPEN,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-tgdemo12345' } },
    };
    expect(() =>
      assertSafeKeyPolicyChange(policy(ROOT, OPEN), policy(ROOT, narrowed), {
        ...OPTIONS,
        allowNarrowingAny: true,
      }),
    ).not.toThrow();
    expect(() =>
      assertSafeKeyPolicyChange(
        policy(ROOT, OPEN),
        policy(ROOT, narrowed),
        OPTIONS,
      ),
    ).toThrow(/would stop \* from decrypting/);
  });
});

describe('statementDiff', () => {
  it('shows only the statements added or changed', () => {
    const narrowed = {
      ...OPEN,
      Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } },
    };
    const diff = statementDiff([ROOT, OPEN], [ROOT, narrowed, READER]);
    expect(diff.split('\n')).toEqual([
      '~ Anyone',
      `- ${JSON.stringify(OPEN)}`,
      `+ ${JSON.stringify(narrowed)}`,
      '+ Readers',
      `+ ${JSON.stringify(READER)}`,
    ]);
    expect(diff).not.toContain('Enable IAM User Permissions');
    expect(statementDiff([ROOT], [ROOT])).toBe('');
  });
});
