import type { DecryptPrincipal } from '@trailguard/plugin-cloudtrail-encryption-common';
import { describePrincipal, kmsConsoleUrl, kmsKeyLabel } from './describe';

const ACCOUNT = '100000000001';

function principal(overrides: Partial<DecryptPrincipal>): DecryptPrincipal {
  return {
    principal: '*',
    kind: 'any',
    via: 'key-policy',
    conditions: [],
    ...overrides,
  };
}

describe('describePrincipal', () => {
  it.each([
    [
      principal({
        kind: 'iam-role',
        principal: 'arn:aws:sts::100000000001:assumed-role/Admin/alice',
        accountId: ACCOUNT,
      }),
      'Role Admin (session alice)',
    ],
    [
      principal({
        kind: 'iam-user',
        principal: 'arn:aws:iam::333333333333:user/ops/bob',
        accountId: '333333333333',
      }),
      'User bob in account 333333333333',
    ],
    [
      principal({
        kind: 'account-root',
        principal: 'arn:aws:iam::100000000001:root',
        accountId: ACCOUNT,
        via: 'key-policy',
      }),
      'Root user of account 100000000001',
    ],
    [
      principal({ kind: 'service', principal: 'cloudtrail.amazonaws.com' }),
      'Service cloudtrail.amazonaws.com',
    ],
    [
      principal({
        kind: 'federated',
        principal: 'arn:aws:iam::100000000001:saml-provider/Okta',
      }),
      'Federated principal arn:aws:iam::100000000001:saml-provider/Okta',
    ],
  ])('labels %j', (input, label) => {
    expect(describePrincipal(input, ACCOUNT).label).toBe(label);
  });

  it('flags public and cross-account principals', () => {
    expect(describePrincipal(principal({}), ACCOUNT)).toEqual({
      label: 'Any AWS principal (public)',
      isPublic: true,
      isCrossAccount: false,
    });
    expect(
      describePrincipal(principal({ organizationId: 'o-abc123' }), ACCOUNT)
        .isPublic,
    ).toBe(false);
    expect(
      describePrincipal(
        principal({
          kind: 'iam-role',
          principal: 'arn:aws:iam::333333333333:role/R',
          accountId: '333333333333',
        }),
        ACCOUNT,
      ).isCrossAccount,
    ).toBe(true);
  });
});

describe('KMS key display', () => {
  it('falls back from alias to the key id in the ARN', () => {
    const key = {
      arn: 'arn:aws:kms:eu-west-1:100000000001:key/abcd-1234',
      region: 'eu-west-1',
      accountId: ACCOUNT,
      state: 'Enabled' as const,
      policyReadable: true,
    };
    expect(kmsKeyLabel(key)).toBe('abcd-1234');
    expect(kmsConsoleUrl(key)).toBe(
      'https://eu-west-1.console.aws.amazon.com/kms/home?region=eu-west-1#/kms/keys/abcd-1234',
    );
    expect(
      kmsConsoleUrl({
        ...key,
        arn: 'arn:aws:kms:eu-west-1:100000000001:alias/cloudtrail',
      }),
    ).toBeUndefined();
  });
});
