import { ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
} from '@aws-sdk/client-sts';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { startSandbox } from '../sandbox';
import {
  assumeRole,
  caught,
  clientsAs,
  clientsFor,
  DEMO,
  useSandbox,
} from '../__testUtils__/clients';

describe('STS', () => {
  const sandbox = useSandbox();

  it('reports the static credentials as the management account root', async () => {
    const { sts } = clientsFor(sandbox());
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({
      Account: DEMO.management,
      Arn: 'arn:aws:iam::111111111111:root',
      UserId: DEMO.management,
    });
    expect(me.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('issues temporary credentials that act as the target account', async () => {
    const { sts } = clientsFor(sandbox());
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${DEMO.payments}:role/TrailGuardReadOnly`,
        RoleSessionName: 'scan-1',
        DurationSeconds: 900,
      }),
    );
    const c = out.Credentials!;
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c.SessionToken!.length).toBeGreaterThan(100);
    const ttl = c.Expiration!.getTime() - Date.now();
    expect(ttl).toBeGreaterThan(800_000);
    expect(ttl).toBeLessThanOrEqual(900_000);
    expect(out.AssumedRoleUser).toEqual({
      AssumedRoleId: expect.stringMatching(/^AROA[0-9A-Z]{17}:scan-1$/),
      Arn: 'arn:aws:sts::100000000001:assumed-role/TrailGuardReadOnly/scan-1',
    });

    const member = clientsFor(sandbox(), {
      credentials: {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      },
    });
    const me = await member.sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(DEMO.payments);
    expect(me.Arn).toBe(out.AssumedRoleUser!.Arn);
    const trails = await member.cloudtrail.send(new ListTrailsCommand({}));
    expect(trails.Trails!.map(t => t.Name).sort()).toEqual([
      'org-trail',
      'payments-trail',
    ]);
  });

  it('refuses every role in acquired-co with AccessDenied (403)', async () => {
    const err = await caught(assumeRole(sandbox(), DEMO.acquired));
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.Error).toMatchObject({ Type: 'Sender', Code: 'AccessDenied' });
    expect(err.message).toContain(
      'is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::100000000012:role/TrailGuardReadOnly',
    );
  });

  it('refuses unknown roles and unknown accounts', async () => {
    expect(
      (await caught(assumeRole(sandbox(), DEMO.payments, 'Admin'))).name,
    ).toBe('AccessDenied');
    expect((await caught(assumeRole(sandbox(), '999999999999'))).name).toBe(
      'AccessDenied',
    );
  });

  it('checks the ExternalId a role declares', async () => {
    const s = await startSandbox({
      scenario: {
        accounts: [
          { id: '123456789012', name: 'main' },
          {
            id: '210987654321',
            name: 'vendor',
            roles: [{ name: 'Scanner', externalId: 'tg-42' }],
          },
        ],
      },
    });
    try {
      expect(
        (await caught(assumeRole(s, '210987654321', 'Scanner'))).name,
      ).toBe('AccessDenied');
      const creds = await assumeRole(s, '210987654321', 'Scanner', {
        ExternalId: 'tg-42',
      });
      expect(creds.accessKeyId).toMatch(/^ASIA/);
    } finally {
      await s.close();
    }
  });

  it('validates RoleSessionName and DurationSeconds', async () => {
    const { sts } = clientsFor(sandbox());
    const err = await caught(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${DEMO.payments}:role/TrailGuardReadOnly`,
          RoleSessionName: 'x',
        }),
      ),
    );
    expect(err.name).toBe('ValidationError');
    const long = await caught(
      assumeRole(sandbox(), DEMO.payments, 'TrailGuardReadOnly', {
        DurationSeconds: 7200,
      }),
    );
    expect(long.message).toContain('MaxSessionDuration');
  });

  it('denies write operations to read-only roles', async () => {
    const ro = await clientsAs(sandbox(), DEMO.payments);
    const err = await caught(ro.kms.send(new CreateKeyCommand({})));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toContain('assumed-role/TrailGuardReadOnly');

    const rw = await clientsAs(sandbox(), DEMO.payments, {
      role: 'TrailGuardRemediation',
    });
    const created = await rw.kms.send(new CreateKeyCommand({}));
    expect(created.KeyMetadata!.AWSAccountId).toBe(DEMO.payments);
  });

  it('rejects unknown and tampered credentials', async () => {
    const bogus = clientsFor(sandbox(), {
      credentials: {
        accessKeyId: 'AKIAUNKNOWN000000000',
        secretAccessKey: 'x',
      },
    });
    const stsErr = await caught(
      bogus.sts.send(new GetCallerIdentityCommand({})),
    );
    expect(stsErr.name).toBe('InvalidClientTokenId');
    expect(stsErr.$metadata.httpStatusCode).toBe(403);
    const ctErr = await caught(
      bogus.cloudtrail.send(new ListTrailsCommand({})),
    );
    expect(ctErr.name).toBe('UnrecognizedClientException');

    const real = await assumeRole(sandbox(), DEMO.payments);
    const tampered = clientsFor(sandbox(), {
      credentials: { ...real, sessionToken: 'forged' },
    });
    const err = await caught(
      tampered.sts.send(new GetCallerIdentityCommand({})),
    );
    expect(err.name).toBe('InvalidClientTokenId');
  });
});

describe('Organizations', () => {
  const sandbox = useSandbox();

  it('pages through ListAccounts with NextToken and MaxResults', async () => {
    const { organizations } = clientsFor(sandbox());
    const first = await organizations.send(
      new ListAccountsCommand({ MaxResults: 5 }),
    );
    expect(first.Accounts).toHaveLength(5);
    expect(first.NextToken).toBeDefined();
    expect(first.Accounts![0]).toEqual({
      Id: DEMO.management,
      Arn: 'arn:aws:organizations::111111111111:account/o-tgdemo12345/111111111111',
      Email: 'aws+management@trailguard.example',
      Name: 'management',
      Status: 'ACTIVE',
      State: 'ACTIVE',
      JoinedMethod: 'CREATED',
      JoinedTimestamp: expect.any(Date),
    });
    const all = [];
    for await (const page of paginateListAccounts(
      { client: organizations, pageSize: 4 },
      {},
    )) {
      all.push(...page.Accounts!);
    }
    expect(all).toHaveLength(14);
    expect(new Set(all.map(a => a.Id)).size).toBe(14);
    expect(all.find(a => a.Id === DEMO.acquired)!.Name).toBe('acquired-co');
  });

  it('lets only the management account list accounts', async () => {
    const member = await clientsAs(sandbox(), DEMO.payments);
    const err = await caught(
      member.organizations.send(new ListAccountsCommand({})),
    );
    expect(err.name).toBe('AccessDeniedException');
    const org = await member.organizations.send(
      new DescribeOrganizationCommand({}),
    );
    expect(org.Organization).toMatchObject({
      Id: 'o-tgdemo12345',
      MasterAccountId: DEMO.management,
      FeatureSet: 'ALL',
    });
  });

  it('rejects an invalid NextToken and MaxResults', async () => {
    const { organizations } = clientsFor(sandbox());
    expect(
      (
        await caught(
          organizations.send(new ListAccountsCommand({ NextToken: 'nope' })),
        )
      ).name,
    ).toBe('InvalidInputException');
    expect(
      (
        await caught(
          organizations.send(new ListAccountsCommand({ MaxResults: 50 })),
        )
      ).name,
    ).toBe('InvalidInputException');
  });
});
