import type { OrganizationPolicySpec } from '../scenario/types';
import type {
  AccountRecord,
  OrganizationalUnitRecord,
  OrganizationPolicyRecord,
  OrganizationRecord,
} from './records';

/**
 * What building the policies needs of the sandbox state (the state calls
 * this module while it is built, so it is described here, not imported).
 */
export interface PolicyHost {
  organization?: OrganizationRecord;
  readonly organizationalUnits: ReadonlyMap<string, OrganizationalUnitRecord>;
  readonly accounts: ReadonlyMap<string, AccountRecord>;
  readonly organizationPolicies: Map<string, OrganizationPolicyRecord>;
  ouPath(path: string): string;
}
import { stableHex } from './stableHex';

const TYPE_PATH = {
  SERVICE_CONTROL_POLICY: 'service_control_policy',
  RESOURCE_CONTROL_POLICY: 'resource_control_policy',
} as const;

/**
 * The AWS managed policies Organizations attaches to the root, every OU and
 * every account when a policy type is enabled; detaching them is what makes
 * an allow-list SCP bite.
 */
const FULL_ACCESS: Array<Omit<OrganizationPolicyRecord, 'targets'>> = [
  {
    id: 'p-FullAWSAccess',
    arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
    name: 'FullAWSAccess',
    description: 'Allows access to every operation',
    type: 'SERVICE_CONTROL_POLICY',
    awsManaged: true,
    content: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    }),
  },
  {
    id: 'p-RCPFullAWSAccess',
    arn: 'arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess',
    name: 'RCPFullAWSAccess',
    description: 'Allows access to every operation',
    type: 'RESOURCE_CONTROL_POLICY',
    awsManaged: true,
    content: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
      ],
    }),
  },
];

export function organizationPolicyId(spec: OrganizationPolicySpec): string {
  return spec.id ?? `p-${stableHex(`${spec.type}/${spec.name}`, 8)}`;
}

/** Resolves `root`, an account id, an OU id or an OU path to a target id. */
export function resolvePolicyTarget(st: PolicyHost, target: string): string {
  if (target === 'root') return st.organization!.rootId;
  if (/^\d{12}$/.test(target) || target.startsWith('ou-')) return target;
  return st.ouPath(target);
}

/** Builds the organization's SCPs and RCPs; call once OUs and accounts exist. */
export function buildOrganizationPolicies(
  st: PolicyHost,
  specs: OrganizationPolicySpec[],
): void {
  const org = st.organization!;
  const custom = specs.map((spec): OrganizationPolicyRecord => {
    const id = organizationPolicyId(spec);
    return {
      id,
      arn: `arn:aws:organizations::${org.managementAccount}:policy/${org.id}/${
        TYPE_PATH[spec.type]
      }/${id}`,
      name: spec.name,
      description: spec.description ?? '',
      type: spec.type,
      awsManaged: false,
      content: JSON.stringify(spec.content),
      targets: new Set(spec.targets.map(t => resolvePolicyTarget(st, t))),
    };
  });
  const everything = [
    org.rootId,
    ...st.organizationalUnits.keys(),
    ...[...st.accounts.values()].filter(a => a.inOrganization).map(a => a.id),
  ];
  for (const p of FULL_ACCESS) {
    st.organizationPolicies.set(p.id, { ...p, targets: new Set(everything) });
  }
  for (const p of custom) st.organizationPolicies.set(p.id, p);
}
