import { createRng } from '../faults';
import {
  cloudTrailConsoleKeyPolicy,
  organizationTrailKeyPolicy,
} from './policies';
import type {
  AccountSpec,
  BucketSpec,
  IamRoleSpec,
  IdentityCenterSpec,
  KeySpec,
  Scenario,
  TrailSpec,
} from './types';
import { validateScenario } from './validate';

export interface GenerateOptions {
  /** Member accounts to create, besides the management and log-archive accounts. */
  accounts: number;
  seed?: number;
  /** Regions trails and keys are spread over; the first is the org trail's home. */
  regions?: string[];
}

/** How each generated member account's own trail is set up, with its share. */
export const GENERATED_MIX: Array<[profile: string, weight: number]> = [
  ['compliant', 60],
  ['sse-s3', 10],
  ['region-mismatch', 6],
  ['key-disabled', 5],
  ['pending-deletion', 3],
  ['no-generate-data-key', 4],
  ['public-decrypt', 4],
  ['not-logging', 4],
  ['delivery-failing', 4],
];

const KEY_STATES: Record<string, KeySpec['state']> = {
  'key-disabled': 'Disabled',
  'pending-deletion': 'PendingDeletion',
};

const ROLES = [
  { name: 'TrailGuardReadOnly', readOnly: true },
  { name: 'TrailGuardRemediation' },
];
/**
 * Every generated account gets the two Identity Center roles, so with the
 * scanner's two roles each account's IAM holds four roles to read.
 */
const GENERATED_IDENTITY_CENTER: IdentityCenterSpec = {
  permissionSets: [
    {
      name: 'AdministratorAccess',
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      accounts: 'all',
    },
    {
      name: 'ReadOnlyAccess',
      managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      accounts: 'all',
    },
  ],
};

/** The role the organization trail key's policy names as its log reader. */
function logArchiveReader(archive: string, region: string): IamRoleSpec {
  return {
    name: 'LogArchiveReader',
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${archive}:root` },
          Action: 'sts:AssumeRole',
        },
      ],
    },
    managedPolicies: ['arn:aws:iam::aws:policy/SecurityAudit'],
    inlinePolicies: [
      {
        name: 'ReadOrganizationTrailLogs',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::org-cloudtrail-logs-${archive}/AWSLogs/*`,
            },
          ],
        },
      },
    ],
    lastUsed: { date: '-1h', region },
  };
}

export const GENERATED_MANAGEMENT = '900000000000';
export const GENERATED_LOG_ARCHIVE = '900000000001';

/** Spread without the RNG, so adding OUs left every generated trail as it was. */
function memberOu(index: number): string {
  const slot = index % 10;
  if (slot < 5) return 'Workloads/Prod';
  return slot < 8 ? 'Workloads/NonProd' : 'Sandbox';
}

function pick(rng: () => number): string {
  let r = rng() * 100;
  for (const [profile, weight] of GENERATED_MIX) {
    if (r < weight) return profile;
    r -= weight;
  }
  return 'compliant';
}

function uuid(rng: () => number): string {
  const hex = Array.from({ length: 32 }, () =>
    Math.floor(rng() * 16).toString(16),
  ).join('');
  const v = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(
    13,
    16,
  )}-${v}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/**
 * A large deterministic organization for benchmarks: one organization trail
 * with a central key and bucket, and per-account trails in a realistic mix
 * of good and broken encryption setups. Some accounts have a second trail
 * in another Region.
 */
export function generateOrganization(options: GenerateOptions): Scenario {
  const seed = options.seed ?? 1;
  const rng = createRng(seed);
  const regions = options.regions?.length
    ? options.regions
    : ['us-east-1', 'us-west-2', 'eu-west-1'];
  const home = regions[0];
  const mgmt = GENERATED_MANAGEMENT;
  const archive = GENERATED_LOG_ARCHIVE;
  const orgTrailArn = `arn:aws:cloudtrail:${home}:${mgmt}:trail/org-trail`;
  const orgKeyId = uuid(rng);

  const accounts: AccountSpec[] = [
    { id: mgmt, name: 'management', roles: ROLES },
    {
      id: archive,
      name: 'log-archive',
      ou: 'Security',
      roles: ROLES,
      iam: { roles: [logArchiveReader(archive, home)] },
    },
  ];
  const keys: KeySpec[] = [
    {
      account: archive,
      region: home,
      id: orgKeyId,
      aliases: ['alias/org-cloudtrail'],
      rotation: true,
      description: 'Organization trail log encryption',
      policy: organizationTrailKeyPolicy({
        keyAccount: archive,
        managementAccount: mgmt,
        trailArn: orgTrailArn,
        readerRoleArn: `arn:aws:iam::${archive}:role/LogArchiveReader`,
      }),
    },
  ];
  const buckets: BucketSpec[] = [
    {
      name: `org-cloudtrail-logs-${archive}`,
      account: archive,
      region: home,
      readers: [mgmt],
    },
  ];
  const trails: TrailSpec[] = [
    {
      account: mgmt,
      name: 'org-trail',
      homeRegion: home,
      multiRegion: true,
      organization: true,
      bucket: `org-cloudtrail-logs-${archive}`,
      kmsKey: `arn:aws:kms:${home}:${archive}:key/${orgKeyId}`,
    },
  ];

  const addTrail = (
    account: string,
    name: string,
    region: string,
    profile: string,
  ) => {
    const trailArn = `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;
    const bucket = `${name}-cloudtrail-${account}`;
    buckets.push({ name: bucket, account, region });
    const trail: TrailSpec = {
      account,
      name,
      homeRegion: region,
      multiRegion: rng() < 0.7,
      bucket,
      latestDeliveryTime: `-${1 + Math.floor(rng() * 30)}m`,
    };
    trails.push(trail);
    if (profile === 'sse-s3') return;
    const keyRegion =
      profile === 'region-mismatch'
        ? regions.find(r => r !== region) ?? 'eu-central-1'
        : region;
    const id = uuid(rng);
    keys.push({
      account,
      region: keyRegion,
      id,
      aliases: [`alias/${name}`],
      rotation: rng() < 0.85,
      state: KEY_STATES[profile] ?? 'Enabled',
      deletionDate: profile === 'pending-deletion' ? '+12d' : undefined,
      pendingWindowInDays: profile === 'pending-deletion' ? 30 : undefined,
      policy: cloudTrailConsoleKeyPolicy({
        account,
        region: keyRegion,
        trailArn,
        omitGenerateDataKey: profile === 'no-generate-data-key',
        publicDecrypt: profile === 'public-decrypt',
      }),
    });
    trail.kmsKey = `arn:aws:kms:${keyRegion}:${account}:key/${id}`;
    if (profile === 'not-logging') {
      trail.isLogging = false;
      trail.latestDeliveryTime = '-9d';
    }
    if (profile === 'delivery-failing' || profile === 'key-disabled') {
      trail.latestDeliveryError = 'AccessDeniedException';
      trail.latestDeliveryTime = '-3d';
    }
  };

  for (let i = 0; i < options.accounts; i++) {
    const id = String(300000000000 + i + 1);
    const name = `member-${String(i + 1).padStart(4, '0')}`;
    accounts.push({ id, name, ou: memberOu(i), roles: ROLES });
    const region = regions[Math.floor(rng() * regions.length)];
    addTrail(id, `${name}-trail`, region, pick(rng));
    if (regions.length > 1 && rng() < 0.15) {
      const other = regions.filter(r => r !== region)[
        Math.floor(rng() * (regions.length - 1))
      ];
      addTrail(id, `${name}-${other}-trail`, other, 'compliant');
    }
  }

  return validateScenario(
    {
      name: `generated-${options.accounts}-seed-${seed}`,
      description: `Synthetic organization with ${options.accounts} member accounts`,
      organization: {
        id: `o-gen${String(seed).padStart(8, '0').slice(-8)}`,
        managementAccount: mgmt,
      },
      credentials: [
        {
          accessKeyId: 'AKIASANDBOXMAIN00001',
          secretAccessKey: 'sandbox-secret',
          accountId: mgmt,
        },
      ],
      accounts,
      keys,
      buckets,
      trails,
      identityCenter: GENERATED_IDENTITY_CENTER,
    },
    'generated organization',
  );
}
