import {
  GetAccountAuthorizationDetailsCommand,
  GetAccountAuthorizationDetailsCommandOutput,
  IAMClient,
  paginateGetAccountAuthorizationDetails,
} from '@aws-sdk/client-iam';
import { sandboxClientConfig } from '../sandbox';
import { ssoRoleName, ssoSamlProviderArn } from '../state/iam';
import {
  assumeRole,
  caught,
  Creds,
  DEMO,
  useSandbox,
} from '../__testUtils__/clients';

const decode = (doc: string | undefined) =>
  JSON.parse(decodeURIComponent(doc!));

describe('IAM GetAccountAuthorizationDetails', () => {
  const sandbox = useSandbox();
  const iamFor = (credentials?: Creds, region = 'us-east-1') =>
    new IAMClient({
      ...sandboxClientConfig(
        sandbox().endpoint,
        region,
        credentials ?? sandbox().credentials,
      ),
      maxAttempts: 1,
    });
  const asScanner = async (account: string) =>
    iamFor(await assumeRole(sandbox(), account));

  async function everything(client: IAMClient, pageSize?: number) {
    const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
    for await (const page of paginateGetAccountAuthorizationDetails(
      { client, ...(pageSize ? { pageSize } : {}) },
      {},
    )) {
      pages.push(page);
    }
    return {
      pages,
      users: pages.flatMap(p => p.UserDetailList ?? []),
      groups: pages.flatMap(p => p.GroupDetailList ?? []),
      roles: pages.flatMap(p => p.RoleDetailList ?? []),
      policies: pages.flatMap(p => p.Policies ?? []),
    };
  }

  it('lists the log-archive account with URL-encoded documents the SDK hands back as sent', async () => {
    const all = await everything(await asScanner(DEMO.logArchive));
    expect(all.pages).toHaveLength(1);
    expect(all.pages[0].IsTruncated).toBe(false);

    const reader = all.roles.find(r => r.RoleName === 'LogArchiveReader')!;
    expect(reader).toMatchObject({
      Path: '/',
      Arn: 'arn:aws:iam::222222222222:role/LogArchiveReader',
      RoleId: expect.stringMatching(/^AROA[0-9A-Z]{17}$/),
      AttachedManagedPolicies: [
        {
          PolicyName: 'SecurityAudit',
          PolicyArn: 'arn:aws:iam::aws:policy/SecurityAudit',
        },
      ],
      InstanceProfileList: [],
      RolePolicyList: [],
      RoleLastUsed: { Region: 'us-east-1', LastUsedDate: expect.any(Date) },
    });
    expect(reader.CreateDate).toBeInstanceOf(Date);
    // The raw text is percent-encoded, as IAM returns it.
    expect(reader.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22/);
    expect(decode(reader.AssumeRolePolicyDocument).Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::222222222222:root' },
      Action: 'sts:AssumeRole',
    });

    const engineer = all.roles.find(r => r.RoleName === 'platform-engineer')!;
    expect(engineer.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn:
        'arn:aws:iam::222222222222:policy/PlatformEngineerBoundary',
    });

    const sso = all.roles.find(r =>
      r.RoleName!.startsWith('AWSReservedSSO_ReadOnlyAccess_'),
    )!;
    expect(sso.RoleName).toBe(ssoRoleName(DEMO.logArchive, 'ReadOnlyAccess'));
    expect(sso.RoleName).toMatch(
      /^AWSReservedSSO_ReadOnlyAccess_[0-9a-f]{16}$/,
    );
    expect(sso.Path).toBe('/aws-reserved/sso.amazonaws.com/');
    expect(sso.Arn).toBe(
      `arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/${sso.RoleName}`,
    );
    const trust = decode(sso.AssumeRolePolicyDocument).Statement[0];
    expect(trust.Principal.Federated).toBe(ssoSamlProviderArn(DEMO.logArchive));
    expect(trust.Principal.Federated).toMatch(
      /^arn:aws:iam::222222222222:saml-provider\/AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$/,
    );
    expect(trust.Action).toContain('sts:AssumeRoleWithSAML');

    const scan = all.roles.find(r => r.RoleName === 'TrailGuardReadOnly')!;
    expect(scan.RolePolicyList![0].PolicyName).toBe('TrailGuardScan');
    expect(
      decode(scan.RolePolicyList![0].PolicyDocument).Statement.map(
        (s: { Sid: string }) => s.Sid,
      ),
    ).toContain('ReadIam');

    expect(all.groups).toEqual([
      expect.objectContaining({
        GroupName: 'log-readers',
        Arn: 'arn:aws:iam::222222222222:group/log-readers',
        GroupId: expect.stringMatching(/^AGPA[0-9A-Z]{17}$/),
        GroupPolicyList: [],
        AttachedManagedPolicies: [
          {
            PolicyName: 'CloudTrailLogReader',
            PolicyArn: 'arn:aws:iam::222222222222:policy/CloudTrailLogReader',
          },
        ],
      }),
    ]);
    expect(all.users).toEqual([
      expect.objectContaining({
        UserName: 'auditor-jane',
        Path: '/auditors/',
        Arn: 'arn:aws:iam::222222222222:user/auditors/auditor-jane',
        GroupList: ['log-readers'],
        AttachedManagedPolicies: [],
      }),
    ]);
    expect(all.users[0].UserPolicyList![0].PolicyName).toBe(
      'ManageOwnCredentials',
    );
  });

  it('lists customer managed policies with every version and the AWS managed ones in use', async () => {
    const { policies } = await everything(await asScanner(DEMO.logArchive));
    const reader = policies.find(p => p.PolicyName === 'CloudTrailLogReader')!;
    expect(reader).toMatchObject({
      Arn: 'arn:aws:iam::222222222222:policy/CloudTrailLogReader',
      DefaultVersionId: 'v2',
      AttachmentCount: 1,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
    });
    expect(
      reader.PolicyVersionList!.map(v => [v.VersionId, v.IsDefaultVersion]),
    ).toEqual([
      ['v1', false],
      ['v2', true],
    ]);
    const v2 = decode(reader.PolicyVersionList![1].Document);
    expect(v2.Statement.map((s: { Action: string }) => s.Action)).toEqual([
      's3:GetObject',
      's3:ListBucket',
      'kms:Decrypt',
    ]);
    const boundary = policies.find(
      p => p.PolicyName === 'PlatformEngineerBoundary',
    )!;
    expect(boundary).toMatchObject({
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 1,
    });

    const awsManaged = policies
      .filter(p => p.Arn!.startsWith('arn:aws:iam::aws:policy/'))
      .map(p => p.PolicyName)
      .sort();
    expect(awsManaged).toEqual([
      'AdministratorAccess',
      'ReadOnlyAccess',
      'SecurityAudit',
    ]);
    const readOnly = policies.find(p => p.PolicyName === 'ReadOnlyAccess')!;
    const actions: string[] = decode(
      readOnly.PolicyVersionList!.find(v => v.IsDefaultVersion)!.Document,
    ).Statement[0].Action;
    expect(actions).toEqual(
      expect.arrayContaining([
        's3:Get*',
        's3:List*',
        'kms:Describe*',
        'kms:Get*',
        'kms:List*',
      ]),
    );
    expect(actions.some(a => /^kms:(Decrypt|\*)/.test(a))).toBe(false);
    // The Identity Center admin role and platform-engineer.
    expect(
      policies.find(p => p.PolicyName === 'AdministratorAccess')!
        .AttachmentCount,
    ).toBe(2);
  });

  it('pages across all four lists with MaxItems and Marker', async () => {
    const client = await asScanner(DEMO.logArchive);
    const whole = await everything(client);
    const paged = await everything(client, 2);
    const total =
      whole.users.length +
      whole.groups.length +
      whole.roles.length +
      whole.policies.length;
    expect(paged.pages).toHaveLength(Math.ceil(total / 2));
    expect(paged.pages.slice(0, -1).every(p => p.IsTruncated)).toBe(true);
    expect(paged.pages.every(p => p.IsTruncated === !!p.Marker)).toBe(true);
    expect(paged.roles.map(r => r.Arn)).toEqual(whole.roles.map(r => r.Arn));
    expect(paged.policies.map(p => p.Arn)).toEqual(
      whole.policies.map(p => p.Arn),
    );
    expect(paged.users).toEqual(whole.users);
  });

  it('filters by entity type', async () => {
    const client = await asScanner(DEMO.logArchive);
    const roles = await client.send(
      new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }),
    );
    expect(roles.UserDetailList).toEqual([]);
    expect(roles.GroupDetailList).toEqual([]);
    expect(roles.Policies).toEqual([]);
    expect(roles.RoleDetailList!.length).toBe(6);

    const local = await client.send(
      new GetAccountAuthorizationDetailsCommand({
        Filter: ['LocalManagedPolicy', 'User'],
      }),
    );
    expect(local.Policies!.map(p => p.PolicyName)).toEqual([
      'CloudTrailLogReader',
      'PlatformEngineerBoundary',
    ]);
    expect(local.UserDetailList!.map(u => u.UserName)).toEqual([
      'auditor-jane',
    ]);
    const aws = await client.send(
      new GetAccountAuthorizationDetailsCommand({
        Filter: ['AWSManagedPolicy'],
      }),
    );
    expect(aws.Policies!.every(p => p.Arn!.includes(':aws:policy/'))).toBe(
      true,
    );
  });

  it('refuses bad input as IAM does', async () => {
    const client = await asScanner(DEMO.logArchive);
    const badFilter = await caught(
      client.send(
        new GetAccountAuthorizationDetailsCommand({
          Filter: ['Robot' as 'Role'],
        }),
      ),
    );
    expect(badFilter.name).toBe('ValidationError');
    expect(badFilter.$metadata.httpStatusCode).toBe(400);
    const tooMany = await caught(
      client.send(
        new GetAccountAuthorizationDetailsCommand({ MaxItems: 1001 }),
      ),
    );
    expect(tooMany.name).toBe('ValidationError');
    const marker = await caught(
      client.send(
        new GetAccountAuthorizationDetailsCommand({ Marker: 'nope' }),
      ),
    );
    expect(marker.name).toBe('ValidationError');
  });

  it('answers AccessDenied where the scan role may not read IAM', async () => {
    const err = await caught(
      (
        await asScanner(DEMO.publicWeb)
      ).send(new GetAccountAuthorizationDetailsCommand({})),
    );
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toMatch(
      /^User: arn:aws:sts::100000000008:assumed-role\/TrailGuardReadOnly\/trailguard-test is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: \*/,
    );
  });

  it('follows setIamReadable between calls', async () => {
    const client = await asScanner(DEMO.payments);
    sandbox().mutate.setIamReadable(DEMO.payments, false);
    try {
      const err = await caught(
        client.send(new GetAccountAuthorizationDetailsCommand({})),
      );
      expect(err.name).toBe('AccessDenied');
    } finally {
      sandbox().mutate.setIamReadable(DEMO.payments, true);
    }
    const out = await client.send(
      new GetAccountAuthorizationDetailsCommand({}),
    );
    expect(out.RoleDetailList!.map(r => r.RoleName)).toContain('ci-deployer');
  });

  it('answers the management account root with its own IAM', async () => {
    const { roles } = await everything(iamFor());
    expect(roles.map(r => r.RoleName)).toEqual([
      'TrailGuardReadOnly',
      'TrailGuardRemediation',
      ssoRoleName(DEMO.management, 'AdministratorAccess'),
      ssoRoleName(DEMO.management, 'ReadOnlyAccess'),
    ]);
    // The scanner roles trust the management account unless told otherwise.
    expect(
      decode(roles[0].AssumeRolePolicyDocument).Statement[0].Principal,
    ).toEqual({ AWS: 'arn:aws:iam::111111111111:root' });
  });

  it('accepts only signatures for us-east-1, IAM being global', async () => {
    const err = await caught(
      iamFor(undefined, 'eu-west-1').send(
        new GetAccountAuthorizationDetailsCommand({}),
      ),
    );
    expect(err.name).toBe('SignatureDoesNotMatch');
    expect(err.$metadata.httpStatusCode).toBe(403);
  });

  it('counts calls against the account whose IAM is read', async () => {
    sandbox().resetCounters();
    await (
      await asScanner(DEMO.payments)
    ).send(new GetAccountAuthorizationDetailsCommand({}));
    expect(
      sandbox().counters().byAccountApi[DEMO.payments][
        'iam:GetAccountAuthorizationDetails'
      ],
    ).toBe(1);
  });
});
