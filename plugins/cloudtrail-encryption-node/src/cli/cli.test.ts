import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import { runCli, tempFiles } from './__testUtils__/runCli';

jest.setTimeout(30_000);

const TRAIL = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main';
const KEY =
  'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const { file } = tempFiles('trailguard-cli-');

const BAD_SOURCE = 'cloudtrailEncryption:\n  estate:\n    source: everything\n';
const BAD_TRUSTED = 'cloudtrailEncryption:\n  trustedAccountIds: ["12345"]\n';

describe('trailguard scan --help', () => {
  it('documents the exit codes and exits 0', async () => {
    const { stdout, code } = await runCli(['scan', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--fail-on <severity>/);
    expect(stdout.replace(/\s+/g, ' ')).toContain(
      'choices: "blocking", "critical", "high", "medium", "low", "info", "none"',
    );
    for (const exit of [0, 1, 2, 3]) {
      expect(stdout).toMatch(new RegExp(`^  ${exit}  `, 'm'));
    }
  });
});

describe('trailguard analyze-policy', () => {
  it('prints the evaluation of a policy missing DescribeKey for CloudTrail', async () => {
    const policy = file(
      'policy.json',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Enable IAM User Permissions',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111122223333:root' },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'Allow CloudTrail to encrypt logs',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:GenerateDataKey*',
            Resource: '*',
            Condition: {
              StringLike: {
                'kms:EncryptionContext:aws:cloudtrail:arn':
                  'arn:aws:cloudtrail:*:111122223333:trail/*',
              },
            },
          },
        ],
      }),
    );
    const { stdout, code } = await runCli([
      'analyze-policy',
      '--policy',
      policy,
      '--trail-arn',
      TRAIL,
      '--key-arn',
      KEY,
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.cloudTrailCanEncrypt).toBe(true);
    expect(result.cloudTrailCanDescribe).toBe(false);
    expect(result.decryptPrincipals).toEqual([
      expect.objectContaining({
        principal: 'arn:aws:iam::111122223333:root',
        kind: 'account-root',
        via: 'iam-delegation',
      }),
    ]);
    expect(result.findings.map((f: any) => f.code)).toEqual([
      'CLOUDTRAIL_CANNOT_DESCRIBE_KEY',
    ]);
  });

  it('reports a malformed policy as unreadable, exit 0', async () => {
    const { stdout, code } = await runCli([
      'analyze-policy',
      '--policy',
      file('bad.json', '{"Statement": ['),
      '--trail-arn',
      TRAIL,
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.policyReadable).toBe(false);
    expect(result.reason).toEqual(expect.any(String));
    expect(result.findings.map((f: any) => f.code)).toContain(
      'KEY_POLICY_UNREADABLE',
    );
  });

  describe('with the estate (--organization-id, --trusted-account)', () => {
    const FOREIGN = 'o-f0re1gn0rg1';
    const OURS = 'o-a1b2c3d4e5';
    const policyWith = (...statements: object[]) =>
      file(
        `estate-${statements.length}-${Math.random()}.json`,
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Allow CloudTrail to encrypt logs',
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
              Resource: '*',
            },
            ...statements,
          ],
        }),
      );
    const orgDecrypt = (org: string) => ({
      Sid: 'OrgDecrypt',
      Effect: 'Allow',
      Principal: '*',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': org } },
    });
    const analyze = (policy: string, ...extra: string[]) =>
      runCli([
        'analyze-policy',
        '--policy',
        policy,
        '--trail-arn',
        TRAIL,
        '--key-arn',
        KEY,
        ...extra,
      ]);

    it('reports "*" pinned to a foreign organization as cross-account, high', async () => {
      const { stdout, code } = await analyze(
        policyWith(orgDecrypt(FOREIGN)),
        '--organization-id',
        OURS,
      );
      expect(code).toBe(0);
      const [finding] = JSON.parse(stdout).findings;
      expect(finding).toMatchObject({
        code: 'DECRYPT_CROSS_ACCOUNT',
        severity: 'high',
      });
      expect(finding.message).toContain(FOREIGN);
      const ours = await analyze(
        policyWith(orgDecrypt(OURS)),
        '--organization-id',
        OURS,
      );
      expect(JSON.parse(ours.stdout).findings).toEqual([]);
    });

    it('trusts the accounts named with a repeated --trusted-account', async () => {
      const reader = (account: string) => ({
        Sid: `Reader${account}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:role/Reader` },
        Action: 'kms:Decrypt',
        Resource: '*',
      });
      const policy = policyWith(reader('444455556666'), reader('777788889999'));
      const untrusted = JSON.parse((await analyze(policy)).stdout);
      expect(untrusted.findings.map((f: any) => f.code)).toEqual([
        'DECRYPT_CROSS_ACCOUNT',
        'DECRYPT_CROSS_ACCOUNT',
      ]);
      const { stdout, code } = await analyze(
        policy,
        '--trusted-account',
        '444455556666',
        '--trusted-account',
        '777788889999',
      );
      expect(code).toBe(0);
      expect(JSON.parse(stdout).findings).toEqual([]);
    });

    it.each([
      [['--organization-id', 'org-123'], /--organization-id/],
      [['--trusted-account', '12345'], /--trusted-account .*"12345"/],
    ])('exits 2 on a malformed value %j', async (extra, message) => {
      const { code, stderr, stdout } = await analyze(
        policyWith(orgDecrypt(OURS)),
        ...extra,
      );
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stdout).toBe('');
    });
  });

  it.each([
    [['analyze-policy', '--trail-arn', TRAIL]],
    [['analyze-policy', '--policy', '/does/not/exist', '--trail-arn', TRAIL]],
    [['analyze-policy', '--policy', '/dev/null', '--trail-arn', 'not-an-arn']],
    [['scan', '--account', '12345']],
    [['scan', '--format', 'xml', '--account', '111122223333']],
    [['scan', '--fail-on', 'severe', '--account', '111122223333']],
    [['scan', '--no-such-flag']],
    [['scan', '--config', '/does/not/exist.yaml']],
    [['scan', '--config', file('bad-source.yaml', BAD_SOURCE)]],
    [['scan', '--config', file('bad-trusted.yaml', BAD_TRUSTED)]],
    [['no-such-command']],
  ])('exits 2 with a message for bad input %j', async args => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr.trim()).not.toBe('');
  });
});

describe('trailguard scan', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
  });
  afterAll(async () => {
    await sandbox.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('scans the configured accounts of an accounts-mode estate and prints JSON reports', async () => {
    const config = file(
      'app-config.yaml',
      `aws:
  mainAccount:
    accessKeyId: ${sandbox.credentials.accessKeyId}
    secretAccessKey: ${sandbox.credentials.secretAccessKey}
  accountDefaults:
    roleName: TrailGuardReadOnly
  accounts:
    - accountId: '100000000002'
      roleName: TrailGuardReadOnly
    - accountId: '100000000012'
      roleName: TrailGuardReadOnly
cloudtrailEncryption:
  estate:
    source: accounts
  aws:
    endpoint: ${sandbox.endpoint}
`,
    );
    const { stdout, code } = await runCli([
      'scan',
      '--config',
      config,
      '--format',
      'json',
    ]);
    // 100000000002 is non-compliant, which outranks the failed scan.
    expect(code).toBe(1);
    const reports = JSON.parse(stdout);
    expect(
      reports.map((r: any) => [r.accountId, r.status, r.scanStatus]),
    ).toEqual([
      ['100000000002', 'non-compliant', 'ok'],
      ['100000000012', 'unknown', 'error'],
    ]);
  });
});
