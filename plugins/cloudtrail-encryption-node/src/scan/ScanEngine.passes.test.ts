import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import { SCAN_ROLES } from '../__testUtils__/scenarioParts';
import {
  cloudTrailConsoleKeyPolicy,
  startSandbox,
  type Sandbox,
  type Scenario,
} from '@trailguard/aws-sandbox';
import type {
  AccountReport,
  TrailReaders,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from './config';

jest.setTimeout(60_000);

const ORG = 'o-tgpasses0001';
const MGMT = '600000000000';
const MEMBER = '600000000001';
const AUDIT = '600000000002';
const REGION = 'us-east-1';
const OPEN_KEY = '44444444-4444-4444-8444-444444444444';
const NAMED_KEY = '55555555-5555-4555-8555-555555555555';

const trailArn = (name: string) =>
  `arn:aws:cloudtrail:${REGION}:${MEMBER}:trail/${name}`;
const keyArn = (id: string) => `arn:aws:kms:${REGION}:${MEMBER}:key/${id}`;

/** The auditors' account may decrypt with the key (a statement naming it). */
const auditorsDecrypt = {
  Sid: 'AuditorsDecrypt',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${AUDIT}:root` },
  Action: 'kms:Decrypt',
  Resource: '*',
};

function keyPolicy(trail: string, openToOrganization: boolean) {
  const policy = cloudTrailConsoleKeyPolicy({
    account: MEMBER,
    region: REGION,
    trailArn: trailArn(trail),
  }) as { Statement: object[] };
  policy.Statement.push(auditorsDecrypt);
  if (openToOrganization) {
    policy.Statement.push({
      Sid: 'OrganizationDecrypt',
      Effect: 'Allow',
      Principal: '*',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    });
  }
  return policy;
}

/**
 * One scanned member with two trails whose keys name the auditors'
 * account, which is known but not scanned: one key bounded to it, the
 * other open to the organization as well. The analysis takes the first in
 * its first pass and the second in its second: the auditors' account is
 * needed by both.
 */
const scenario: Scenario = {
  name: 'two-passes',
  organization: { id: ORG, managementAccount: MGMT },
  accounts: [
    { id: MGMT, name: 'management', roles: SCAN_ROLES },
    { id: MEMBER, name: 'member', ou: 'Workloads', roles: SCAN_ROLES },
    {
      id: AUDIT,
      name: 'audit',
      ou: 'Security',
      roles: SCAN_ROLES,
      iam: {
        roles: [
          {
            name: 'log-reader',
            inlinePolicies: [
              {
                name: 'read-logs',
                document: {
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Effect: 'Allow',
                      Action: ['kms:Decrypt', 's3:GetObject'],
                      Resource: '*',
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    },
  ],
  keys: [
    {
      account: MEMBER,
      region: REGION,
      id: NAMED_KEY,
      rotation: true,
      policy: keyPolicy('named-trail', false),
    },
    {
      account: MEMBER,
      region: REGION,
      id: OPEN_KEY,
      rotation: true,
      policy: keyPolicy('open-trail', true),
    },
  ],
  buckets: [{ name: `logs-${MEMBER}`, account: MEMBER, region: REGION }],
  trails: [
    {
      account: MEMBER,
      name: 'named-trail',
      homeRegion: REGION,
      bucket: `logs-${MEMBER}`,
      s3KeyPrefix: 'named',
      kmsKey: keyArn(NAMED_KEY),
    },
    {
      account: MEMBER,
      name: 'open-trail',
      homeRegion: REGION,
      bucket: `logs-${MEMBER}`,
      s3KeyPrefix: 'open',
      kmsKey: keyArn(OPEN_KEY),
    },
  ],
};

describe('ScanEngine analyses bounded trails, then those admitting the organization', () => {
  let sandbox: Sandbox;
  let report: AccountReport;
  let iamReads: Record<string, number>;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, {
        aws: { requestTimeout: 2000 },
        estate: { managementAccountId: MGMT },
      }),
    );
    try {
      [report] = await engine.scan([{ accountId: MEMBER, name: 'member' }], {
        organizationId: ORG,
        organizationAccountIds: [MGMT, MEMBER, AUDIT],
        knownAccountIds: [MGMT, AUDIT],
        accountNames: new Map([[AUDIT, 'audit']]),
      });
    } finally {
      clients.destroy();
    }
    iamReads = Object.fromEntries(
      Object.entries(sandbox.counters().byAccountApi).map(([id, apis]) => [
        id,
        apis['iam:GetAccountAuthorizationDetails'] ?? 0,
      ]),
    );
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  const readersOf = (name: string): TrailReaders =>
    report.trails.find(t => t.name === name)!.readers!;
  const auditors = (readers: TrailReaders) =>
    [...readers.readers, ...readers.partial]
      .filter(r => r.accountId === AUDIT)
      .map(r => r.principal.split('/').pop());

  it('names the known account’s reader under the bounded trail', () => {
    const readers = readersOf('named-trail');
    expect(auditors(readers)).toContain('log-reader');
    expect(readers.unresolved.map(u => u.accountId)).not.toContain(AUDIT);
  });

  it('names it under the trail admitting the organization too', () => {
    const readers = readersOf('open-trail');
    expect(auditors(readers)).toContain('log-reader');
    expect(readers.unresolved.map(u => u.accountId)).not.toContain(AUDIT);
  });

  it('reads the IAM of each account once for both passes', () => {
    expect(iamReads[AUDIT]).toBe(1);
    expect(iamReads[MEMBER]).toBe(1);
  });

  it('reads no IAM of a known account that is neither scanned nor named', () => {
    // "Every account" of a trail admitting the organization is every
    // scanned one: the management account is known, not scanned here.
    expect(iamReads[MGMT] ?? 0).toBe(0);
    const open = readersOf('open-trail');
    expect(
      [...open.readers, ...open.partial].filter(r => r.accountId === MGMT),
    ).toEqual([]);
  });
});
