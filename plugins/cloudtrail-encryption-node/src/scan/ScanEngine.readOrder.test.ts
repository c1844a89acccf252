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

jest.setTimeout(120_000);

const ORG = 'o-tgreadorder1';
const MGMT = '610000000000';
const OWNER = '619999999999';
const REGION = 'us-east-1';
const KEY = '66666666-6666-4666-8666-666666666666';
const TRAIL = `arn:aws:cloudtrail:${REGION}:${OWNER}:trail/open-trail`;
/** More accounts with a partial reader than a trail lists (100). */
const MEMBERS = Array.from(
  { length: 130 },
  (_, i) => `61${String(i + 1).padStart(10, '0')}`,
);

const keyPolicy = cloudTrailConsoleKeyPolicy({
  account: OWNER,
  region: REGION,
  trailArn: TRAIL,
}) as { Statement: object[] };
keyPolicy.Statement.push({
  Sid: 'AnyoneDecrypts',
  Effect: 'Allow',
  Principal: '*',
  Action: 'kms:Decrypt',
  Resource: '*',
});

/**
 * Members with no trail of their own, then the account whose key lets
 * anyone decrypt: no member's IAM is read ahead (no trail named a member
 * when it was read), so the analysis reads them all itself.
 */
const scenario: Scenario = {
  name: 'read-order',
  organization: { id: ORG, managementAccount: MGMT },
  accounts: [
    { id: MGMT, name: 'management', roles: SCAN_ROLES },
    ...MEMBERS.map(id => ({
      id,
      name: `member-${id.slice(-3)}`,
      roles: SCAN_ROLES,
      // An administrator: it may decrypt, not read the owner's bucket.
      iam: { roles: [adminRole] },
    })),
    { id: OWNER, name: 'owner', roles: SCAN_ROLES },
  ],
  keys: [
    {
      account: OWNER,
      region: REGION,
      id: KEY,
      rotation: true,
      policy: keyPolicy,
    },
  ],
  buckets: [{ name: `logs-${OWNER}`, account: OWNER, region: REGION }],
  trails: [
    {
      account: OWNER,
      name: 'open-trail',
      homeRegion: REGION,
      bucket: `logs-${OWNER}`,
      kmsKey: `arn:aws:kms:${REGION}:${OWNER}:key/${KEY}`,
    },
  ],
};

/**
 * The analysis reads the IAM of many accounts at once, and the reads
 * complete in any order; it still gives each account to a trail that admits
 * everyone in the scan's order, so the trail lists the partial readers of
 * the first accounts, whichever reads answered first.
 */
describe('ScanEngine, accounts whose IAM the analysis reads itself', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario,
      // IAM reads answer in any order.
      faults: {
        seed: 11,
        latencyByApi: {
          'iam:GetAccountAuthorizationDetails': { min: 0, max: 60 },
        },
      },
    });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('lists the partial readers of the first accounts in the scan’s order', async () => {
    // The members in an order that is not their ids', the key's owner last.
    const members = [
      ...MEMBERS.filter((_, i) => i % 3 === 2),
      ...MEMBERS.filter((_, i) => i % 3 !== 2).reverse(),
    ];
    const order = [...members, OWNER];
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { scan: { concurrency: 8 } }),
    );
    let readers: TrailReaders;
    try {
      const reports = await engine.scan(
        order.map(accountId => ({ accountId })),
        { organizationId: ORG, organizationAccountIds: [MGMT, ...order] },
      );
      readers = reports
        .flatMap(r => r.trails ?? [])
        .find(t => t.trailArn === TRAIL)!.readers!;
    } finally {
      clients.destroy();
    }
    const calls = sandbox.counters().byAccountApi;
    // Read by the analysis, once each.
    expect(
      members.filter(
        id => calls[id]?.['iam:GetAccountAuthorizationDetails'] !== 1,
      ),
    ).toEqual([]);
    const listed = readers.partial
      .filter(p => p.accountId !== OWNER)
      .map(p => p.accountId);
    expect(readers.partialOmitted).toBe(members.length - 100);
    expect(new Set(listed)).toEqual(new Set(members.slice(0, 100)));
  });
});
