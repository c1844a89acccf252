import { SandboxState } from '../state/state';
import { ssoRoleName } from '../state/iam';
import { generateOrganization } from './generate';
import { loadScenario, parseScenario } from './load';
import { ScenarioValidationError } from './validate';

function problems(text: string): string[] {
  try {
    parseScenario(text, 'iam.yaml');
  } catch (e) {
    return (e as ScenarioValidationError).problems;
  }
  throw new Error('expected the scenario to be refused');
}

const HEADER = [
  'organization: { id: o-tgiamtest01, managementAccount: "123456789012" }',
  'accounts:',
];

describe('IAM scenario validation', () => {
  it('names every unresolved reference and malformed document', () => {
    const text = [
      ...HEADER,
      '  - id: "123456789012"',
      '    name: a',
      '    iamReadable: "no"',
      '    roles: [TrailGuardReadOnly]',
      '    iam:',
      '      roles:',
      '        - name: TrailGuardReadOnly',
      '        - name: bad role',
      '          managedPolicies:',
      '            - arn:aws:iam::aws:policy/PowerUserAccess',
      '            - arn:aws:iam::210987654321:policy/Theirs',
      '            - Missing',
      '          trustPolicy: { Version: "2012-10-17" }',
      '          lastUsed: { date: yesterday, region: us-east-1 }',
      '      groups:',
      '        - { name: readers, permissionsBoundary: Boundary }',
      '      users:',
      '        - name: jane',
      '          groups: [writers]',
      '          inlinePolicies:',
      '            - name: p',
      '              document: { Statement: [{ Effect: Maybe }] }',
      '      policies:',
      '        - { name: Boundary, document: { Statement: { Effect: Allow } } }',
      '        - { name: boundary, document: { Statement: { Effect: Allow } } }',
    ].join('\n');
    expect(problems(text)).toEqual(
      expect.arrayContaining([
        'accounts[0].iamReadable: must be true or false',
        'accounts[0].iam.policies[1].name: duplicate policy boundary',
        'accounts[0].iam.groups[0].permissionsBoundary: groups cannot have a permissions boundary',
        'accounts[0].iam.users[0].groups[0]: unknown group "writers" in account 123456789012',
        'accounts[0].iam.users[0].inlinePolicies[0].document: Statement[0].Effect must be Allow or Deny',
        'accounts[0].roles + accounts[0].iam.roles[1].name: duplicate role TrailGuardReadOnly',
        'accounts[0].iam.roles[1].name: invalid IAM name "bad role" (up to 64 of A-Z a-z 0-9 +=,.@_-)',
        'accounts[0].iam.roles[1].managedPolicies[0]: the sandbox does not model the AWS managed policy arn:aws:iam::aws:policy/PowerUserAccess',
        "accounts[0].iam.roles[1].managedPolicies[1]: arn:aws:iam::210987654321:policy/Theirs is another account's policy; IAM attaches only the account's own or AWS managed policies",
        'accounts[0].iam.roles[1].managedPolicies[2]: unknown customer managed policy Missing in account 123456789012',
        'accounts[0].iam.roles[1].trustPolicy: must have a Statement (a mapping or a list of mappings)',
        'accounts[0].iam.roles[1].lastUsed.date: must be an ISO date or an offset such as -3d',
      ]),
    );
  });

  it('checks organization policies, their targets and Identity Center', () => {
    const text = [
      'organization:',
      '  id: o-tgiamtest01',
      '  managementAccount: "123456789012"',
      '  policies:',
      '    - name: ok',
      '      type: SERVICE_CONTROL_POLICY',
      '      content: { Statement: { Effect: Deny, Action: "*", Resource: "*" } }',
      '      targets: [root, Workloads, Workloads/Prod, "123456789013"]',
      '    - id: nope',
      '      name: bad',
      '      type: TAG_POLICY',
      '      content: { Version: "2012-10-17" }',
      '      targets: [Workloads/Dev, "123456789014", ou-abcd-12345678]',
      '    - name: untargeted',
      '      type: RESOURCE_CONTROL_POLICY',
      '      content: { Statement: { Effect: Deny, Principal: "*", Action: "*", Resource: "*" } }',
      'accounts:',
      '  - { id: "123456789012", name: a }',
      '  - { id: "123456789013", name: b, ou: Workloads/Prod }',
      '  - { id: "123456789014", name: c, inOrganization: false }',
      'identityCenter:',
      '  permissionSets:',
      '    - name: Admin',
      '      accounts: ["999999999999"]',
      '      managedPolicies: [arn:aws:iam::123456789012:policy/Mine]',
      'buckets:',
      '  - name: some-bucket',
      '    account: "123456789012"',
      '    region: us-east-1',
      '    publicAccessBlock: { blockPublicAcls: yes-please, blockEverything: true }',
      '    policy: { Version: "2012-10-17" }',
    ].join('\n');
    expect(problems(text)).toEqual([
      'identityCenter.permissionSets[0].managedPolicies[0]: must be an AWS managed policy ARN the sandbox models (got "arn:aws:iam::123456789012:policy/Mine")',
      'identityCenter.permissionSets[0].accounts[0]: unknown account "999999999999"',
      'organization.policies[1].type: must be one of SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY',
      'organization.policies[1].id: must be p- followed by 8 to 128 letters, digits or _',
      'organization.policies[1].content: must have a Statement (a mapping or a list of mappings)',
      'organization.policies[1].targets[0]: no account sits under an OU path Workloads/Dev',
      'organization.policies[1].targets[1]: 123456789014 is not an organization member account',
      'organization.policies[1].targets[2]: name OUs by path (e.g. Workloads/Prod): the sandbox derives OU ids',
      'organization.policies[2].targets: must list at least one target (root, an OU path or an account id)',
      'buckets[0].policy: must have a Statement (a mapping or a list of mappings)',
      'buckets[0].publicAccessBlock.blockPublicAcls: must be true or false',
      'buckets[0].publicAccessBlock.blockEverything: unknown setting (one of blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets)',
    ]);
  });
});

describe('demo IAM', () => {
  const state = SandboxState.fromScenario(loadScenario('demo'));
  const roleNames = (account: string) =>
    state.iamOf(account)!.roles.map(r => r.name);

  it('gives every account the scanner roles and both Identity Center roles', () => {
    for (const account of state.accounts.keys()) {
      expect(roleNames(account).slice(0, 4)).toEqual([
        'TrailGuardReadOnly',
        'TrailGuardRemediation',
        ssoRoleName(account, 'AdministratorAccess'),
        ssoRoleName(account, 'ReadOnlyAccess'),
      ]);
    }
  });

  it('places the special principals in their accounts', () => {
    expect(roleNames('222222222222').slice(4)).toEqual([
      'LogArchiveReader',
      'platform-engineer',
    ]);
    expect(roleNames('100000000001').slice(4)).toEqual([
      'LogProcessor',
      'ci-deployer',
    ]);
    expect(roleNames('100000000010').slice(4)).toEqual(['ExternalAuditReader']);
    const archive = state.iamOf('222222222222')!;
    expect(archive.users.map(u => [u.arn, u.groups])).toEqual([
      ['arn:aws:iam::222222222222:user/auditors/auditor-jane', ['log-readers']],
    ]);
    expect(
      [...state.accounts.keys()].filter(a => !state.iamOf(a)!.readable),
    ).toEqual(['100000000008']);
  });
});

describe('generated IAM', () => {
  it('gives each account four roles, built only when read', () => {
    const scenario = generateOrganization({ accounts: 2000, seed: 3 });
    const state = SandboxState.fromScenario(scenario);
    const member = scenario.accounts[2].id;
    const iam = state.iamOf(member)!;
    expect(iam.roles.map(r => r.name)).toEqual([
      'TrailGuardReadOnly',
      'TrailGuardRemediation',
      ssoRoleName(member, 'AdministratorAccess'),
      ssoRoleName(member, 'ReadOnlyAccess'),
    ]);
    expect(iam.policies.map(p => p.name)).toEqual([
      'AdministratorAccess',
      'ReadOnlyAccess',
    ]);
    expect(state.iamOf(member)).toBe(iam);
    expect(state.iamOf('900000000001')!.roles.map(r => r.name)).toContain(
      'LogArchiveReader',
    );
  });
});
