import {
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  paginateListPolicies,
  paginateListTargetsForPolicy,
} from '@aws-sdk/client-organizations';
import { generateOrganization } from '../scenario/generate';
import { startSandbox } from '../sandbox';
import {
  caught,
  clientsAs,
  clientsFor,
  DEMO,
  useSandbox,
} from '../__testUtils__/clients';

const SCP = 'SERVICE_CONTROL_POLICY';
const RCP = 'RESOURCE_CONTROL_POLICY';

async function parentOf(organizations: OrganizationsClient, id: string) {
  const { Parents } = await organizations.send(
    new ListParentsCommand({ ChildId: id }),
  );
  return Parents![0].Id!;
}

describe('Organizations policies (demo)', () => {
  const sandbox = useSandbox();

  it('lists FullAWSAccess and the customer SCP, and RCPFullAWSAccess', async () => {
    const { organizations } = clientsFor(sandbox());
    const scps = await organizations.send(
      new ListPoliciesCommand({ Filter: SCP }),
    );
    expect(scps.Policies).toEqual([
      {
        Id: 'p-FullAWSAccess',
        Arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
        Name: 'FullAWSAccess',
        Description: 'Allows access to every operation',
        Type: SCP,
        AwsManaged: true,
      },
      {
        Id: 'p-nonprodlogs1',
        Arn: 'arn:aws:organizations::111111111111:policy/o-tgdemo12345/service_control_policy/p-nonprodlogs1',
        Name: 'DenyCloudTrailLogDecryption',
        Description:
          'Non-production accounts may not decrypt CloudTrail log files',
        Type: SCP,
        AwsManaged: false,
      },
    ]);
    const rcps = await organizations.send(
      new ListPoliciesCommand({ Filter: RCP }),
    );
    expect(rcps.Policies!.map(p => [p.Id, p.AwsManaged])).toEqual([
      ['p-RCPFullAWSAccess', true],
    ]);
    const tags = await organizations.send(
      new ListPoliciesCommand({ Filter: 'TAG_POLICY' }),
    );
    expect(tags.Policies).toEqual([]);
  });

  it('returns policy content as JSON text', async () => {
    const { organizations } = clientsFor(sandbox());
    const { Policy } = await organizations.send(
      new DescribePolicyCommand({ PolicyId: 'p-nonprodlogs1' }),
    );
    expect(Policy!.PolicySummary!.Name).toBe('DenyCloudTrailLogDecryption');
    expect(JSON.parse(Policy!.Content!).Statement[0]).toMatchObject({
      Effect: 'Deny',
      Action: 'kms:Decrypt',
      Condition: {
        Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' },
      },
    });
    const full = await organizations.send(
      new DescribePolicyCommand({ PolicyId: 'p-RCPFullAWSAccess' }),
    );
    expect(JSON.parse(full.Policy!.Content!).Statement).toEqual([
      { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
    ]);
  });

  it('attaches the SCP to the NonProd OU only, and FullAWSAccess everywhere', async () => {
    const { organizations } = clientsFor(sandbox());
    const nonProd = await parentOf(organizations, DEMO.mlPlatform);
    const { Targets } = await organizations.send(
      new ListTargetsForPolicyCommand({ PolicyId: 'p-nonprodlogs1' }),
    );
    expect(Targets).toEqual([
      {
        TargetId: nonProd,
        Arn: `arn:aws:organizations::111111111111:ou/o-tgdemo12345/${nonProd}`,
        Name: 'NonProd',
        Type: 'ORGANIZATIONAL_UNIT',
      },
    ]);

    const forOu = await organizations.send(
      new ListPoliciesForTargetCommand({ TargetId: nonProd, Filter: SCP }),
    );
    expect(forOu.Policies!.map(p => p.Id)).toEqual([
      'p-FullAWSAccess',
      'p-nonprodlogs1',
    ]);
    // Only direct attachments: the account inherits the OU's SCP.
    const forAccount = await organizations.send(
      new ListPoliciesForTargetCommand({
        TargetId: DEMO.mlPlatform,
        Filter: SCP,
      }),
    );
    expect(forAccount.Policies!.map(p => p.Id)).toEqual(['p-FullAWSAccess']);

    const { Roots } = await organizations.send(new ListRootsCommand({}));
    expect(Roots![0].PolicyTypes).toEqual([
      { Type: SCP, Status: 'ENABLED' },
      { Type: RCP, Status: 'ENABLED' },
    ]);
    const forRoot = await organizations.send(
      new ListPoliciesForTargetCommand({ TargetId: Roots![0].Id, Filter: RCP }),
    );
    expect(forRoot.Policies!.map(p => p.Id)).toEqual(['p-RCPFullAWSAccess']);

    const everywhere: string[] = [];
    for await (const page of paginateListTargetsForPolicy(
      { client: organizations, pageSize: 5 },
      { PolicyId: 'p-FullAWSAccess' },
    )) {
      everywhere.push(...page.Targets!.map(t => `${t.Type}:${t.Name}`));
    }
    // The root, 6 OUs and 14 accounts.
    expect(everywhere).toHaveLength(1 + 6 + 14);
    expect(everywhere).toEqual(
      expect.arrayContaining([
        'ROOT:Root',
        'ORGANIZATIONAL_UNIT:Sandbox',
        'ACCOUNT:acquired-co',
      ]),
    );
  });

  it('refuses member accounts and unknown ids', async () => {
    const { organizations: member } = await clientsAs(sandbox(), DEMO.payments);
    const denied = await caught(
      member.send(new ListPoliciesCommand({ Filter: SCP })),
    );
    expect(denied.name).toBe('AccessDeniedException');
    const { organizations } = clientsFor(sandbox());
    const missing = await caught(
      organizations.send(new DescribePolicyCommand({ PolicyId: 'p-00000000' })),
    );
    expect(missing.name).toBe('PolicyNotFoundException');
    const noTarget = await caught(
      organizations.send(
        new ListPoliciesForTargetCommand({
          TargetId: '999999999999',
          Filter: SCP,
        }),
      ),
    );
    expect(noTarget.name).toBe('TargetNotFoundException');
    const badFilter = await caught(
      organizations.send(
        new ListPoliciesCommand({ Filter: 'NOT_A_TYPE' as typeof SCP }),
      ),
    );
    expect(badFilter.name).toBe('InvalidInputException');
  });
});

describe('Organizations policies (paging)', () => {
  it('pages ListPolicies with MaxResults and NextToken', async () => {
    const scenario = generateOrganization({ accounts: 3, seed: 1 });
    scenario.organization!.policies = Array.from({ length: 25 }, (_, i) => ({
      name: `scp-${i}`,
      type: 'SERVICE_CONTROL_POLICY' as const,
      targets: ['root'],
      content: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: `s3:Action${i}`, Resource: '*' }],
      },
    }));
    const sandbox = await startSandbox({ scenario });
    try {
      const { organizations } = clientsFor(sandbox);
      const ids: string[] = [];
      let pages = 0;
      for await (const page of paginateListPolicies(
        { client: organizations, pageSize: 20 },
        { Filter: SCP },
      )) {
        pages++;
        ids.push(...page.Policies!.map(p => p.Id!));
      }
      expect(pages).toBe(2);
      expect(ids).toHaveLength(26);
      expect(new Set(ids).size).toBe(26);
      const tooMany = await caught(
        organizations.send(
          new ListPoliciesCommand({ Filter: SCP, MaxResults: 21 }),
        ),
      );
      expect(tooMany.name).toBe('InvalidInputException');
    } finally {
      await sandbox.close();
    }
  });
});
