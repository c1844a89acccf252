import {
  accountDecryptStatement,
  accountRootArn,
  cloudTrailDescribeStatement,
  cloudTrailEncryptionContextPatterns,
  cloudTrailEncryptStatement,
  consoleStyleCloudTrailKeyPolicy,
  decryptStatement,
  KeyPolicyStatement,
  rootDelegationStatement,
  trailOwnerAccountId,
} from './keyPolicyStatements';
import { AwsPartition } from './arn';

const ACCOUNT = '111122223333';
const MGMT = '999988887777';
const ARCHIVE = '444455556666';
const trail = (partition: string, region: string, account = ACCOUNT) =>
  `arn:${partition}:cloudtrail:${region}:${account}:trail/management`;

const REGIONS: Record<AwsPartition, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

function expectWellFormed(statement: KeyPolicyStatement) {
  expect(statement.Effect).toBe('Allow');
  expect(statement.Resource).toBe('*');
  expect(statement.Action).toBeDefined();
  expect(statement.Principal).toBeDefined();
  expect(typeof statement.Sid).toBe('string');
}

describe.each(Object.entries(REGIONS) as [AwsPartition, string][])(
  'in partition %s',
  (partition, region) => {
    const trailArn = trail(partition, region);

    it('names the account root in the partition', () => {
      expect(accountRootArn(partition, ACCOUNT)).toBe(
        `arn:${partition}:iam::${ACCOUNT}:root`,
      );
      expect(rootDelegationStatement(partition, ACCOUNT)).toEqual({
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${ACCOUNT}:root` },
        Action: 'kms:*',
        Resource: '*',
      });
    });

    it('lets the CloudTrail service principal encrypt for the trail only', () => {
      expect(cloudTrailEncryptStatement({ trailArns: [trailArn] })).toEqual({
        Sid: 'Allow CloudTrail to encrypt logs',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceArn': trailArn },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${ACCOUNT}:trail/*`,
          },
        },
      });
    });

    it('builds a console-style policy whose every statement is well formed', () => {
      const policy = consoleStyleCloudTrailKeyPolicy({
        keyAccountId: ACCOUNT,
        trailArns: [trailArn],
        readers: [`arn:${partition}:iam::${ACCOUNT}:role/LogReader`],
      });
      expect(policy.Version).toBe('2012-10-17');
      expect(policy.Id).toBeUndefined();
      expect(policy.Statement.map(s => s.Sid)).toEqual([
        'Enable IAM User Permissions',
        'Allow CloudTrail to encrypt logs',
        'Allow CloudTrail to describe key',
        'Allow principals to decrypt log files',
      ]);
      policy.Statement.forEach(expectWellFormed);
      expect(JSON.stringify(policy)).not.toMatch(
        partition === 'aws' ? /arn:aws-/ : /arn:aws:/,
      );
    });
  },
);

describe('cloudTrailEncryptStatement', () => {
  it('lists several trails and one pattern per owner account', () => {
    const a = trail('aws', 'us-east-1');
    const b = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/other`;
    const c = trail('aws', 'us-east-1', ARCHIVE);
    const statement = cloudTrailEncryptStatement({ trailArns: [a, b, c] });
    expect(statement.Condition).toEqual({
      StringEquals: { 'aws:SourceArn': [a, b, c] },
      StringLike: {
        'kms:EncryptionContext:aws:cloudtrail:arn': [
          `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*`,
          `arn:aws:cloudtrail:*:${ARCHIVE}:trail/*`,
        ],
      },
    });
  });

  it('uses the management account for an organization trail whose key is elsewhere', () => {
    const orgTrail = trail('aws-us-gov', 'us-gov-west-1', MGMT);
    const policy = consoleStyleCloudTrailKeyPolicy({
      keyAccountId: ARCHIVE,
      orgTrail,
      id: 'Key policy for the organization trail',
    });
    expect(policy.Id).toBe('Key policy for the organization trail');
    expect(policy.Statement[0].Principal).toEqual({
      AWS: `arn:aws-us-gov:iam::${ARCHIVE}:root`,
    });
    expect(policy.Statement[1].Condition).toEqual({
      StringEquals: { 'aws:SourceArn': orgTrail },
      StringLike: {
        'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws-us-gov:cloudtrail:*:${MGMT}:trail/*`,
      },
    });
    expect(policy.Statement).toHaveLength(3);
  });

  it('can leave out aws:SourceArn or accept other trail accounts', () => {
    const statement = cloudTrailEncryptStatement({
      trailArns: [trail('aws-cn', 'cn-north-1')],
      trailAccounts: [ARCHIVE],
      sourceArns: false,
      sid: 'Mine',
    });
    expect(statement.Sid).toBe('Mine');
    expect(statement.Condition).toEqual({
      StringLike: {
        'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws-cn:cloudtrail:*:${ARCHIVE}:trail/*`,
      },
    });
  });

  it('refuses what it cannot build, saying why', () => {
    expect(() =>
      cloudTrailEncryptStatement({
        trailArns: ['arn:aws:s3:::bucket'],
      }),
    ).toThrow('"arn:aws:s3:::bucket" is not a CloudTrail trail ARN');
    expect(() => cloudTrailEncryptStatement({})).toThrow(
      'name the trails (trailArns or orgTrail) or the partition and trailAccounts',
    );
    expect(() =>
      cloudTrailEncryptStatement({
        trailArns: [trail('aws', 'us-east-1'), trail('aws-cn', 'cn-north-1')],
      }),
    ).toThrow('trails of different partitions cannot share a key: aws, aws-cn');
    expect(() =>
      cloudTrailEncryptStatement({
        partition: 'aws',
        trailAccounts: ['12345'],
      }),
    ).toThrow('"12345" is not a 12-digit AWS account id');
    expect(() => accountRootArn('aws-iso' as AwsPartition, ACCOUNT)).toThrow(
      'unknown partition "aws-iso"; expected one of aws, aws-cn, aws-us-gov',
    );
  });

  it('builds the pattern from a partition and accounts alone', () => {
    expect(
      cloudTrailEncryptionContextPatterns({
        partition: 'aws-cn',
        trailAccounts: [ACCOUNT, ACCOUNT],
      }),
    ).toEqual([`arn:aws-cn:cloudtrail:*:${ACCOUNT}:trail/*`]);
    expect(trailOwnerAccountId(trail('aws', 'us-east-1', MGMT))).toBe(MGMT);
  });
});

describe('cloudTrailDescribeStatement', () => {
  it('is unconditional without trails and narrowed by aws:SourceArn with them', () => {
    expect(cloudTrailDescribeStatement().Condition).toBeUndefined();
    const t = trail('aws', 'us-east-1');
    expect(cloudTrailDescribeStatement({ trailArns: [t] })).toEqual({
      Sid: 'Allow CloudTrail to describe key',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': t } },
    });
  });
});

describe('decrypt statements', () => {
  it('lets named readers decrypt CloudTrail log files only', () => {
    const readers = [
      `arn:aws:iam::${ACCOUNT}:role/A`,
      `arn:aws:iam::${ARCHIVE}:root`,
    ];
    expect(decryptStatement({ readers })).toEqual({
      Sid: 'Allow principals to decrypt log files',
      Effect: 'Allow',
      Principal: { AWS: readers },
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      Resource: '*',
      Condition: {
        Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' },
      },
    });
    expect(
      decryptStatement({ readers: [readers[0]], actions: ['kms:Decrypt'] })
        .Action,
    ).toBe('kms:Decrypt');
    expect(() => decryptStatement({ readers: [] })).toThrow(
      'a decrypt statement needs at least one reader',
    );
    expect(() => decryptStatement({ readers: [ACCOUNT] })).toThrow(
      `decrypt reader "${ACCOUNT}" is not an ARN`,
    );
  });

  it('lets principals of one account decrypt, narrowed by caller account and context', () => {
    const statement = accountDecryptStatement({
      sid: 'Readers',
      callerAccountId: ACCOUNT,
      trailArns: [trail('aws-cn', 'cn-north-1')],
    });
    expectWellFormed(statement);
    expect(statement.Principal).toEqual({ AWS: '*' });
    expect(statement.Condition).toEqual({
      StringEquals: { 'kms:CallerAccount': ACCOUNT },
      StringLike: {
        'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws-cn:cloudtrail:*:${ACCOUNT}:trail/*`,
      },
    });
  });
});
