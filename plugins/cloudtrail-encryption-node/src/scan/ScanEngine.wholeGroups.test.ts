import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import { SCAN_ROLES, adminRole } from '../__testUtils__/scenarioParts';
import {
  cloudTrailConsoleKeyPolicy,
  startSandbox,
  type Sandbox,
  type Scenario,
} from '@trailguard/aws-sandbox';
import type { TrailReaders } from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from './config';
import { WHOLE_ORGANIZATION_GROUP } from './ReaderScan';

jest.setTimeout(120_000);

const ORG = 'o-tgwholegrps';
const MGMT = '620000000000';
/** A member that no scan here includes, which every key names. */
const NAMED = '629999999999';
const REGION = 'us-east-1';
/** More trails admitting the organization than one pass analyses. */
const MEMBERS = Array.from(
  { length: WHOLE_ORGANIZATION_GROUP + 6 },
  (_, i) => `62${String(i + 1).padStart(10, '0')}`,
);

const trailArn = (account: string) =>
  `arn:aws:cloudtrail:${REGION}:${account}:trail/open-trail`;
const keyId = (i: number) =>
  `77777777-7777-4777-8777-${String(i).padStart(12, '0')}`;

/** The console's policy, and anyone may decrypt, and the named account too. */
function keyPolicy(account: string) {
  const policy = cloudTrailConsoleKeyPolicy({
    account,
    region: REGION,
    trailArn: trailArn(account),
  }) as { Statement: object[] };
  policy.Statement.push(
    {
      Sid: 'AnyoneDecrypts',
      Effect: 'Allow',
      Principal: '*',
      Action: 'kms:Decrypt',
      Resource: '*',
    },
    {
      Sid: 'NamedDecrypts',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${NAMED}:root` },
      Action: 'kms:Decrypt',
      Resource: '*',
    },
  );
  return policy;
}

/** Every member has a trail whose key admits every account. */
const scenario: Scenario = {
  name: 'whole-organization-groups',
  organization: { id: ORG, managementAccount: MGMT },
  accounts: [
    { id: MGMT, name: 'management', roles: SCAN_ROLES },
    ...[...MEMBERS, NAMED].map(id => ({
      id,
      name: `member-${id.slice(-3)}`,
      roles: SCAN_ROLES,
      iam: { roles: [adminRole] },
    })),
  ],
  keys: MEMBERS.map((account, i) => ({
    account,
    region: REGION,
    id: keyId(i),
    rotation: true,
    policy: keyPolicy(account),
  })),
  buckets: MEMBERS.map(account => ({
    name: `logs-${account}`,
    account,
    region: REGION,
  })),
  trails: MEMBERS.map((account, i) => ({
    account,
    name: 'open-trail',
    homeRegion: REGION,
    bucket: `logs-${account}`,
    kmsKey: `arn:aws:kms:${REGION}:${account}:key/${keyId(i)}`,
  })),
};

/**
 * Trails that admit the organization are analysed a group at a time, each
 * group in a pass over the accounts of its own. Every trail of every group
 * is given every account, and the accounts its policies name beyond the
 * scan, and no account's IAM is read twice.
 */
describe('ScanEngine, more trails admitting the organization than one pass takes', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('gives every trail of every group each account, reading each account’s IAM once', async () => {
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { scan: { concurrency: 8 } }),
    );
    const readers = new Map<string, TrailReaders>();
    try {
      const reports = await engine.scan(
        MEMBERS.map(accountId => ({ accountId })),
        {
          organizationId: ORG,
          organizationAccountIds: [MGMT, ...MEMBERS, NAMED],
          knownAccountIds: [NAMED],
        },
      );
      for (const trail of reports.flatMap(r => r.trails ?? [])) {
        readers.set(trail.trailArn, trail.readers!);
      }
    } finally {
      clients.destroy();
    }
    const calls = sandbox.counters().byAccountApi;
    expect(
      [...MEMBERS, NAMED].filter(
        id => calls[id]?.['iam:GetAccountAuthorizationDetails'] !== 1,
      ),
    ).toEqual([]);
    expect(readers.size).toBe(MEMBERS.length);
    for (const owner of MEMBERS) {
      const found = readers.get(trailArn(owner))!;
      const adminOf = (id: string) => `arn:aws:iam::${id}:role/admin`;
      // Its own administrator reads the logs, and its scan role may read
      // the bucket but not decrypt; every other account's administrator
      // may decrypt them but not read the bucket.
      expect({
        owner,
        readers: found.readers.map(r => r.principal),
        partial: found.partial.map(p => p.principal).sort(),
        omitted: found.partialOmitted ?? 0,
        unresolved: found.unresolved,
      }).toEqual({
        owner,
        readers: expect.arrayContaining([adminOf(owner)]),
        partial: [
          `arn:aws:iam::${owner}:role/TrailGuardReadOnly`,
          ...[...MEMBERS.filter(id => id !== owner), NAMED].map(adminOf),
        ].sort(),
        omitted: 0,
        unresolved: [],
      });
    }
  });
});
