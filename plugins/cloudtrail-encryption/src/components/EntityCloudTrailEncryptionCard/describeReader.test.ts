import type { EffectiveReader } from '@trailguard/plugin-cloudtrail-encryption-common';
import { reader, readersTrail } from '../../__testUtils__/readers';
import { organizationTrail } from '../../__testUtils__/reports';
import {
  assumableFrom,
  describePathStep,
  describeTrustee,
  iamPrincipalName,
  sortReaders,
  whyNoReaders,
} from './describeReader';

describe('iamPrincipalName', () => {
  it('reads the last segment of a role, user or group path', () => {
    expect(
      iamPrincipalName(
        'arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_ReadOnly_0a1b',
      ),
    ).toBe('AWSReservedSSO_ReadOnly_0a1b');
    expect(iamPrincipalName('arn:aws:iam::2:user/alice')).toBe('alice');
    expect(iamPrincipalName('arn:aws-cn:iam::2:group/ops/Admins')).toBe(
      'Admins',
    );
  });

  it('keeps anything else as written', () => {
    expect(iamPrincipalName('arn:aws:iam::222222222222:root')).toBe(
      'arn:aws:iam::222222222222:root',
    );
    expect(iamPrincipalName('*')).toBe('*');
  });
});

describe('describePathStep', () => {
  it('names managed policies, inline policies and statements', () => {
    expect(
      describePathStep({
        layer: 'identity-policy',
        policy: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
        statement: '#2',
      }),
    ).toEqual({
      layer: 'Identity policy',
      policy: 'ViewOnlyAccess (AWS managed)',
      policyId: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
      statement: 'statement #2',
      attachedTo: undefined,
    });
    expect(
      describePathStep({
        layer: 'permission-boundary',
        policy: 'arn:aws:iam::222222222222:policy/DeveloperBoundary',
        statement: 'AllowLogs',
      }),
    ).toMatchObject({
      layer: 'Permission boundary',
      policy: 'DeveloperBoundary',
      statement: 'statement “AllowLogs”',
    });
    expect(
      describePathStep({
        layer: 'identity-policy',
        policy: 'inline:logs',
        statement: '#0',
        attachedTo: 'arn:aws:iam::222222222222:group/LogReviewers',
      }),
    ).toMatchObject({
      layer: 'Inline policy',
      policy: 'logs',
      policyId: 'inline:logs',
      attachedTo: 'on group LogReviewers',
    });
  });

  it('names the key and bucket policies by their layer only', () => {
    expect(
      describePathStep({
        layer: 'bucket-policy',
        policy: 'bucket policy',
        statement: 'Read',
      }),
    ).toMatchObject({ layer: 'Bucket policy', policy: undefined });
    expect(
      describePathStep({ layer: 'scp', policy: 'p-deny-kms', statement: '#0' }),
    ).toMatchObject({ layer: 'Service control policy', policy: 'p-deny-kms' });
  });
});

describe('describeTrustee', () => {
  const names = new Map([['333333333333', 'security']]);

  it('flags anyone as open and names accounts it knows', () => {
    expect(
      describeTrustee({ principal: '*', kind: 'any', conditions: [] }),
    ).toEqual({ label: 'Anyone (any AWS account)', isOpen: true });
    expect(
      describeTrustee(
        {
          principal: 'arn:aws:iam::333333333333:role/Breakglass',
          kind: 'iam-role',
          accountId: '333333333333',
          conditions: [],
        },
        names,
      ).label,
    ).toBe('Role Breakglass in account security (333333333333)');
    expect(
      describeTrustee({
        principal: '100000000099',
        kind: 'account-root',
        conditions: [],
      }).label,
    ).toBe('Principals of account 100000000099 allowed by their IAM policies');
  });

  it('reads SSO permission sets and SAML providers', () => {
    expect(
      describeTrustee({
        principal: 'arn:aws:iam::2:saml-provider/AWSSSO_x_DO_NOT_DELETE',
        kind: 'federated',
        permissionSet: 'ReadOnlyAccess',
        conditions: [],
      }).label,
    ).toBe('IAM Identity Center users with permission set ReadOnlyAccess');
    expect(
      describeTrustee({
        principal: 'arn:aws:iam::2:saml-provider/Okta',
        kind: 'federated',
        conditions: [],
      }).label,
    ).toBe('Federated users of Okta');
    expect(
      describeTrustee({
        principal:
          'arn:aws:iam::100000000001:oidc-provider/token.actions.githubusercontent.com',
        kind: 'federated',
        conditions: [],
      }).label,
    ).toBe('Web identities from token.actions.githubusercontent.com');
    expect(
      describeTrustee({
        principal: 'cognito-identity.amazonaws.com',
        kind: 'federated',
        conditions: [],
      }).label,
    ).toBe('Web identities from cognito-identity.amazonaws.com');
  });
});

describe('sortReaders', () => {
  it('puts readers outside the organization first, then other accounts, then by name', () => {
    const named = (
      name: string,
      crossAccount: boolean,
      outsideOrganization: boolean,
    ) =>
      reader({
        principal: `arn:aws:iam::1:role/${name}`,
        crossAccount,
        outsideOrganization,
      });
    const sorted = sortReaders([
      named('b-local', false, false),
      named('a-local', false, false),
      named('z-other', true, false),
      named('y-partner', true, true),
    ]);
    expect(sorted.map(r => iamPrincipalName(r.principal))).toEqual([
      'y-partner',
      'z-other',
      'a-local',
      'b-local',
    ]);
  });
});

describe('assumableFrom', () => {
  const role = (trustedBy: EffectiveReader['trustedBy']) =>
    reader({
      principal: 'arn:aws:iam::100000000010:role/ExternalAuditReader',
      crossAccount: true,
      trustedBy,
    });

  it('tells a role anyone may assume from one an outside account may', () => {
    expect(
      assumableFrom(
        role([
          { principal: '100000000010', kind: 'account-root', conditions: [] },
          { principal: '*', kind: 'any', conditions: [] },
        ]),
      ),
    ).toBe('anyone');
    expect(
      assumableFrom(
        role([
          {
            principal: 'arn:aws:iam::100000000099:root',
            kind: 'account-root',
            accountId: '100000000099',
            outsideOrganization: true,
            conditions: [
              {
                operator: 'StringEquals',
                key: 'sts:ExternalId',
                values: ['audit-2026'],
              },
            ],
          },
        ]),
      ),
    ).toBe('outside');
    expect(
      assumableFrom(
        role([
          {
            principal: 'lambda.amazonaws.com',
            kind: 'service',
            conditions: [],
          },
        ]),
      ),
    ).toBeUndefined();
    expect(assumableFrom(role(undefined))).toBeUndefined();
  });

  it('ranks such a role with the readers outside the organization', () => {
    const local = role([]);
    const exposed = role([
      {
        principal: 'arn:aws:iam::100000000099:root',
        kind: 'account-root',
        outsideOrganization: true,
        conditions: [],
      },
    ]);
    const other = {
      ...role([]),
      principal: 'arn:aws:iam::100000000010:role/AAA-first-by-name',
    };
    expect(sortReaders([other, local, exposed])[0]).toBe(exposed);
  });
});

describe('whyNoReaders', () => {
  it('tells an SSE-S3 trail, an unreadable key policy and an older report apart', () => {
    const { kmsKey } = readersTrail;
    expect(
      whyNoReaders({
        ...organizationTrail,
        encryption: 'SSE-S3',
        kmsKey: undefined,
      }),
    ).toMatch(/without a KMS key/);
    expect(
      whyNoReaders({
        ...organizationTrail,
        kmsKey: { ...kmsKey!, policyReadable: false },
      }),
    ).toMatch(/key policy could not be read/);
    expect(whyNoReaders(organizationTrail)).toMatch(/next scan/);
  });
});
