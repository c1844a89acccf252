import { countDecryptReaders } from './readers';
import {
  isAssumeRoleFailure,
  scanRoleOf,
  scanRoleTrustPolicy,
  trustPrincipalOf,
} from './scanAccess';

describe('scan access', () => {
  it('trusts an STS session through its role, in its partition', () => {
    expect(
      trustPrincipalOf(
        'arn:aws-cn:sts::111111111111:assumed-role/backstage-backend/i-0abc',
      ),
    ).toBe('arn:aws-cn:iam::111111111111:role/backstage-backend');
    expect(trustPrincipalOf('arn:aws:iam::111111111111:root')).toBe(
      'arn:aws:iam::111111111111:root',
    );
  });

  it('names the role of an account: its own setting first, else the default', () => {
    const access = {
      trustPrincipalArn: 'arn:aws-us-gov:iam::111111111111:role/backstage',
      defaultRole: { roleName: 'TrailGuardReadOnly', externalIdRequired: true },
      accounts: {
        '100000000007': { roleName: 'Audit', externalIdRequired: false },
        '100000000008': { externalIdRequired: false },
      },
    };
    expect(scanRoleOf(access, '100000000012')).toEqual({
      roleName: 'TrailGuardReadOnly',
      roleArn: 'arn:aws-us-gov:iam::100000000012:role/TrailGuardReadOnly',
      externalIdRequired: true,
    });
    expect(scanRoleOf(access, '100000000007')?.roleArn).toBe(
      'arn:aws-us-gov:iam::100000000007:role/Audit',
    );
    // Credentials of its own: no role to deploy.
    expect(scanRoleOf(access, '100000000008')).toBeUndefined();
  });

  it('builds a trust policy with the external id condition only when one is configured', () => {
    const principal = 'arn:aws:iam::111111111111:root';
    expect(
      scanRoleTrustPolicy({
        trustPrincipalArn: principal,
        externalIdRequired: false,
      }),
    ).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: principal },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    expect(
      JSON.stringify(
        scanRoleTrustPolicy({
          trustPrincipalArn: principal,
          externalIdRequired: true,
        }),
      ),
    ).toContain('"sts:ExternalId":"YOUR_EXTERNAL_ID"');
  });

  it('tells an AssumeRole failure from another access error', () => {
    expect(
      isAssumeRoleFailure(
        'Could not obtain credentials for account 100000000012: AccessDenied: User: arn:aws:iam::111111111111:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::100000000012:role/TrailGuardReadOnly',
      ),
    ).toBe(true);
    expect(
      isAssumeRoleFailure(
        'AccessDenied: not authorized to perform: cloudtrail:DescribeTrails',
      ),
    ).toBe(false);
  });

  it('counts each reader once across trails', () => {
    const role = {
      principal: 'arn:aws:iam::1:role/R',
      kind: 'iam-role' as const,
      via: 'key-policy' as const,
      conditions: [],
    };
    expect(countDecryptReaders([])).toBeUndefined();
    expect(
      countDecryptReaders([
        {
          decryptPrincipals: [
            role,
            { ...role, principal: '*', kind: 'any', organizationId: 'o-1' },
            {
              ...role,
              principal: 'arn:aws:iam::222222222222:root',
              kind: 'account-root',
              accountId: '222222222222',
            },
          ],
        },
        {
          decryptPrincipals: [
            { ...role, via: 'grant' },
            {
              ...role,
              principal: '222222222222',
              kind: 'account-root',
              accountId: '222222222222',
            },
            { ...role, principal: '*', kind: 'any' },
          ],
        },
      ]),
    ).toBe(4);
  });
});
