import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { consoleDefaultPolicy } from '../analysis/__fixtures__/keyPolicies';
import {
  authorizationDetails,
  managedArn,
  urlEncoded,
} from '../readers/__fixtures__/iam';
import { runCli, tempFiles } from './__testUtils__/runCli';

jest.setTimeout(60_000);

const A = '111122223333';
const B = '444455556666';
const TRAIL = `arn:aws:cloudtrail:us-east-1:${A}:trail/main`;
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BUCKET = 'main-trail-logs';

const { dir, file } = tempFiles('trailguard-readers-');
const keyPolicy = file('key.json', consoleDefaultPolicy(A, TRAIL));
const bucketPolicy = file('bucket.json', {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'CrossAccountReaders',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${B}:role/Auditor` },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/*`,
    },
  ],
});
// As the raw API returns them: URL-encoded documents.
const logAccount = file(
  'a.json',
  authorizationDetails(
    A,
    {
      roles: [
        { name: 'Admin', managed: [managedArn('AdministratorAccess')] },
        { name: 'Builder' },
      ],
    },
    urlEncoded,
  ),
);
const auditAccount = file(
  'b.json',
  authorizationDetails(B, {
    roles: [
      {
        name: 'Auditor',
        managed: [managedArn('ReadOnlyAccess')],
        inline: {
          Decrypt: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY },
            ],
          },
        },
      },
    ],
  }),
);

const baseArgs = [
  'analyze-readers',
  '--trail-arn',
  TRAIL,
  '--bucket',
  BUCKET,
  '--key-arn',
  KEY,
  '--key-policy',
  keyPolicy,
  '--bucket-policy',
  bucketPolicy,
  '--authorization-details',
  logAccount,
];

describe('trailguard analyze-readers', () => {
  it('names the readers, partial readers and findings of a trail', async () => {
    const { stdout, code } = await runCli(baseArgs);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.readers.map((r: any) => r.principal)).toEqual([
      `arn:aws:iam::${A}:role/Admin`,
    ]);
    expect(result.readers[0]).toMatchObject({
      kind: 'iam-role',
      accountId: A,
      conditions: [],
      via: expect.arrayContaining([
        {
          layer: 'identity-policy',
          policy: managedArn('AdministratorAccess'),
          statement: '#0',
        },
      ]),
    });
    // The console's key policy lets Builder decrypt, but it has no S3 access.
    expect(result.partial).toEqual([
      expect.objectContaining({
        principal: `arn:aws:iam::${A}:role/Builder`,
        lacks: 's3:GetObject',
      }),
    ]);
    expect(result.unresolved).toEqual([]);
    // One administrator role alone is not worth a finding.
    expect(result.findings).toEqual([]);
  });

  it('takes several accounts and tells each by the ARNs in its file', async () => {
    const { stdout, code } = await runCli([
      ...baseArgs,
      '--authorization-details',
      auditAccount,
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    // The key policy admits only account A's callers: B's auditor lacks decrypt.
    expect(result.partial).toContainEqual(
      expect.objectContaining({
        principal: `arn:aws:iam::${B}:role/Auditor`,
        accountId: B,
        lacks: 'kms:Decrypt',
      }),
    );
  });

  it.each<[string, string[], RegExp]>([
    [
      'a missing file',
      ['--authorization-details', join(dir, 'nope.json')],
      /^trailguard: Cannot read --authorization-details .*nope\.json/,
    ],
    [
      'bad JSON',
      ['--authorization-details', file('bad.json', '{"RoleDetailList": [')],
      /--authorization-details .*bad\.json is not valid JSON/,
    ],
    [
      'a file that is not authorization details',
      ['--authorization-details', file('other.json', { Statement: [] })],
      /is not the output of aws iam get-account-authorization-details/,
    ],
  ])('exits 2 on %s', async (_name, extra, message) => {
    const { stderr, stdout, code } = await runCli([...baseArgs, ...extra]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('exits 2 on a bad ARN', async () => {
    const args = [...baseArgs];
    args[args.indexOf('--key-arn') + 1] = 'arn:aws:kms:us-east-1:1:alias/x';
    const { stderr, code } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'trailguard: --key-arn is not a KMS key ARN: "arn:aws:kms:us-east-1:1:alias/x"\n',
    );
  });

  it('runs as the installed command', async () => {
    const bin = resolve(__dirname, '../../bin/trailguard');
    const { stdout } = await promisify(execFile)(process.execPath, [
      bin,
      ...baseArgs,
    ]);
    expect(JSON.parse(stdout).readers).toHaveLength(1);
    await expect(
      promisify(execFile)(process.execPath, [
        bin,
        ...baseArgs.slice(0, -2),
        '--authorization-details',
        join(dir, 'missing.json'),
      ]),
    ).rejects.toMatchObject({ code: 2 });
  });
});
