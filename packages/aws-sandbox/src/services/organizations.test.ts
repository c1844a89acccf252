import {
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  paginateListAccounts,
  paginateListOrganizationalUnitsForParent,
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

/** The OU path of an account, walking ListParents up to the root. */
async function pathOf(
  organizations: ReturnType<typeof clientsFor>['organizations'],
  childId: string,
): Promise<string[]> {
  const names: string[] = [];
  let id = childId;
  for (;;) {
    const { Parents } = await organizations.send(
      new ListParentsCommand({ ChildId: id }),
    );
    const parent = Parents![0];
    if (parent.Type === 'ROOT') return ['Root', ...names];
    const { OrganizationalUnit } = await organizations.send(
      new DescribeOrganizationalUnitCommand({
        OrganizationalUnitId: parent.Id!,
      }),
    );
    names.unshift(OrganizationalUnit!.Name!);
    id = parent.Id!;
  }
}

describe('Organizations structure (demo)', () => {
  const sandbox = useSandbox();

  it('has one root named Root with an organizations ARN', async () => {
    const { organizations } = clientsFor(sandbox());
    const { Roots } = await organizations.send(new ListRootsCommand({}));
    expect(Roots).toEqual([
      expect.objectContaining({
        Id: expect.stringMatching(/^r-[0-9a-z]{4}$/),
        Name: 'Root',
        Arn: expect.stringMatching(
          /^arn:aws:organizations::111111111111:root\/o-tgdemo12345\/r-/,
        ),
      }),
    ]);
  });

  it.each([
    [DEMO.management, 'Root'],
    [DEMO.logArchive, 'Root/Security'],
    [DEMO.payments, 'Root/Workloads/Prod'],
    [DEMO.searchDev, 'Root/Workloads/NonProd'],
    [DEMO.marketing, 'Root/Sandbox'],
    [DEMO.acquired, 'Root/Acquisitions'],
  ])('places %s under %s', async (account, path) => {
    const { organizations } = clientsFor(sandbox());
    expect((await pathOf(organizations, account)).join('/')).toBe(path);
  });

  it('lists OUs under a parent with paging', async () => {
    const { organizations } = clientsFor(sandbox());
    const { Roots } = await organizations.send(new ListRootsCommand({}));
    const names: string[] = [];
    let pages = 0;
    for await (const p of paginateListOrganizationalUnitsForParent(
      { client: organizations, pageSize: 1 },
      { ParentId: Roots![0].Id! },
    )) {
      pages++;
      names.push(...p.OrganizationalUnits!.map(ou => ou.Name!));
    }
    expect(names.sort()).toEqual([
      'Acquisitions',
      'Sandbox',
      'Security',
      'Workloads',
    ]);
    expect(pages).toBe(4);
  });

  it('answers unknown children, OUs and parents with AWS errors', async () => {
    const { organizations } = clientsFor(sandbox());
    const child = await caught(
      organizations.send(new ListParentsCommand({ ChildId: '999999999999' })),
    );
    expect(child.name).toBe('ChildNotFoundException');
    const ou = await caught(
      organizations.send(
        new DescribeOrganizationalUnitCommand({
          OrganizationalUnitId: 'ou-abcd-12345678',
        }),
      ),
    );
    expect(ou.name).toBe('OrganizationalUnitNotFoundException');
    const parent = await caught(
      organizations.send(
        new ListOrganizationalUnitsForParentCommand({
          ParentId: 'ou-abcd-12345678',
        }),
      ),
    );
    expect(parent.name).toBe('ParentNotFoundException');
    const bad = await caught(
      organizations.send(new ListParentsCommand({ ChildId: 'not-an-id' })),
    );
    expect(bad.name).toBe('InvalidInputException');
  });

  it('refuses the structure to a member account', async () => {
    const { organizations } = await clientsAs(sandbox(), DEMO.payments);
    const error = await caught(
      organizations.send(new ListParentsCommand({ ChildId: DEMO.payments })),
    );
    expect(error.name).toBe('AccessDeniedException');
  });
});

describe('Organizations account states (estate scenario)', () => {
  const sandbox = useSandbox({ scenario: 'estate' });

  it('returns State, and Status as AWS derives it (CLOSED shows SUSPENDED)', async () => {
    const { organizations } = clientsFor(sandbox());
    const { Accounts } = await organizations.send(new ListAccountsCommand({}));
    const byId = new Map(Accounts!.map(a => [a.Id, a]));
    expect(byId.has('400000000099')).toBe(false);
    expect(
      ['400000000001', '400000000003', '400000000004', '400000000005'].map(
        id => [byId.get(id)?.State, byId.get(id)?.Status],
      ),
    ).toEqual([
      ['ACTIVE', 'ACTIVE'],
      ['SUSPENDED', 'SUSPENDED'],
      ['CLOSED', 'SUSPENDED'],
      ['PENDING_CLOSURE', 'PENDING_CLOSURE'],
    ]);
  });

  it('does not place an account outside the organization', async () => {
    const { organizations } = clientsFor(sandbox());
    const error = await caught(
      organizations.send(new ListParentsCommand({ ChildId: '400000000099' })),
    );
    expect(error.name).toBe('ChildNotFoundException');
  });
});

describe('Organizations with a generated organization', () => {
  it('pages ListAccounts by 20 and places members in OUs', async () => {
    const sandbox = await startSandbox({
      scenario: generateOrganization({ accounts: 23 }),
    });
    try {
      const { organizations } = clientsFor(sandbox);
      let pages = 0;
      const ids: string[] = [];
      for await (const p of paginateListAccounts(
        { client: organizations },
        {},
      )) {
        pages++;
        ids.push(...p.Accounts!.map(a => a.Id!));
      }
      expect(ids).toHaveLength(25);
      expect(pages).toBe(2);
      expect((await pathOf(organizations, '300000000001')).join('/')).toBe(
        'Root/Workloads/Prod',
      );
      expect((await pathOf(organizations, '300000000009')).join('/')).toBe(
        'Root/Sandbox',
      );
    } finally {
      await sandbox.close();
    }
  });
});
