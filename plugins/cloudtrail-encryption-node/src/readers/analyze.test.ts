import {
  consoleDefaultPolicy,
  KMS_DEFAULT_POLICY,
} from '../analysis/__fixtures__/keyPolicies';
import { managedArn } from './__fixtures__/iam';
import {
  A,
  BUCKET,
  TRAIL,
  KEY,
  LOGS,
  role,
  allow,
  readLogs,
  analyze,
  analyzeWithFindings,
  names,
  lacking,
} from './__fixtures__/singleAccount';

describe('analyzeReaders: AWS managed policies under the KMS default key policy', () => {
  const result = analyze([
    { name: 'Admin', managed: [managedArn('AdministratorAccess')] },
    { name: 'ReadOnly', managed: [managedArn('ReadOnlyAccess')] },
    { name: 'PowerUser', managed: [managedArn('PowerUserAccess')] },
    { name: 'Nothing' },
  ]);

  it('names AdministratorAccess and PowerUserAccess (NotAction) as readers, through root delegation', () => {
    expect(names(result.readers)).toEqual(['Admin', 'PowerUser']);
    const admin = result.readers.find(r => r.principal === role('Admin'))!;
    expect(admin).toMatchObject({
      kind: 'iam-role',
      accountId: A,
      accountName: 'log-archive',
      crossAccount: false,
      outsideOrganization: false,
      conditions: [],
      broad: true,
    });
    expect(admin.via).toEqual([
      {
        layer: 'key-policy',
        policy: 'key policy',
        statement: 'Enable IAM User Permissions',
      },
      {
        layer: 'identity-policy',
        policy: managedArn('AdministratorAccess'),
        statement: '#0',
      },
    ]);
  });

  it('does not report two broad readers, only three or more', () => {
    const admins = (count: number) =>
      analyzeWithFindings(
        Array.from({ length: count }, (_, i) => ({
          name: `Admin${i}`,
          managed: [managedArn('AdministratorAccess')],
        })),
      ).findings.map(f => f.code);
    expect(admins(2)).toEqual([]);
    expect(admins(3)).toEqual(['READERS_VIA_BROAD_POLICY']);
  });

  it('lists ReadOnlyAccess as partial: it reads the objects but has no kms:Decrypt', () => {
    expect(lacking(result)).toEqual({ ReadOnly: 'kms:Decrypt' });
    expect(result.unresolved).toEqual([]);
  });
});

describe('analyzeReaders: the console default CloudTrail key policy', () => {
  it('lets every principal of the account decrypt, so S3 access alone decides', () => {
    const result = analyze(
      [
        { name: 'ReadOnly', managed: [managedArn('ReadOnlyAccess')] },
        { name: 'Nothing' },
      ],
      {
        key: { arn: KEY, accountId: A, policy: consoleDefaultPolicy(A, TRAIL) },
      },
    );
    expect(names(result.readers)).toEqual(['ReadOnly']);
    expect(result.readers[0].via[0]).toEqual({
      layer: 'key-policy',
      policy: 'key policy',
      statement: 'Allow principals in the account to decrypt log files',
    });
    expect(lacking(result)).toEqual({ Nothing: 's3:GetObject' });
  });
});

describe('analyzeReaders: each layer', () => {
  it('intersects a permissions boundary with identity policies', () => {
    const boundary = 'arn:aws:iam::111111111111:policy/S3OnlyBoundary';
    const result = analyze(
      [
        {
          name: 'Bounded',
          managed: [managedArn('AdministratorAccess')],
          boundary,
        },
      ],
      {},
      { [boundary]: allow('s3:*', '*') },
    );
    expect(result.readers).toEqual([]);
    expect(lacking(result)).toEqual({ Bounded: 'kms:Decrypt' });
    expect(result.partial[0].via).toContainEqual({
      layer: 'permission-boundary',
      policy: boundary,
      statement: '#0',
    });
  });

  it('lets an explicit Deny in any identity policy win', () => {
    const result = analyze([
      {
        name: 'Denied',
        managed: [managedArn('AdministratorAccess')],
        inline: {
          NoDecrypt: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' },
            ],
          },
        },
      },
    ]);
    expect(lacking(result)).toEqual({ Denied: 'kms:Decrypt' });
  });

  it('reads NotResource against the key', () => {
    const result = analyze([
      {
        name: 'NotKeys',
        inline: {
          AllButKeys: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: '*',
                NotResource: 'arn:aws:kms:*:*:key/*',
              },
            ],
          },
        },
      },
    ]);
    expect(lacking(result)).toEqual({ NotKeys: 'kms:Decrypt' });
  });

  it('decides prefix-scoped s3:GetObject: covering, disjoint, and partly overlapping', () => {
    const result = analyze([
      { name: 'Covering', inline: { p: readLogs } },
      {
        name: 'Disjoint',
        inline: {
          p: allow(
            ['s3:GetObject', 'kms:Decrypt'],
            [`arn:aws:s3:::${BUCKET}/other/*`, KEY],
          ),
        },
      },
      {
        name: 'OneRegion',
        inline: {
          p: allow(
            ['s3:GetObject', 'kms:Decrypt'],
            [`arn:aws:s3:::${BUCKET}/AWSLogs/${A}/CloudTrail/eu-west-1/*`, KEY],
          ),
        },
      },
    ]);
    expect(names(result.readers)).toEqual(['Covering', 'OneRegion']);
    expect(lacking(result)).toEqual({ Disjoint: 's3:GetObject' });
    const oneRegion = result.readers.find(
      r => r.principal === role('OneRegion'),
    )!;
    expect(oneRegion.conditions).toEqual([
      {
        operator: 'Resource',
        key: 'Resource',
        values: [`arn:aws:s3:::${BUCKET}/AWSLogs/${A}/CloudTrail/eu-west-1/*`],
      },
    ]);
    expect(
      result.readers.find(r => r.principal === role('Covering'))!.conditions,
    ).toEqual([]);
  });

  it('evaluates kms:ViaService and the full encryption context', () => {
    const decryptWhen = (Condition: object) => ({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: LOGS },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY, Condition },
      ],
    });
    const result = analyze([
      {
        name: 'ViaS3',
        inline: {
          p: decryptWhen({
            StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
          }),
        },
      },
      {
        name: 'ViaEc2',
        inline: {
          p: decryptWhen({
            StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' },
          }),
        },
      },
      {
        name: 'ObjectInBucket',
        inline: {
          p: decryptWhen({
            StringLike: {
              'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::${BUCKET}/*`,
            },
          }),
        },
      },
      {
        name: 'OtherBucket',
        inline: {
          p: decryptWhen({
            StringLike: {
              'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::other/*',
            },
          }),
        },
      },
      {
        name: 'BothKeys',
        inline: {
          p: decryptWhen({
            'ForAllValues:StringEquals': {
              'kms:EncryptionContextKeys': ['aws:cloudtrail:arn', 'aws:s3:arn'],
            },
          }),
        },
      },
      {
        name: 'TrailKeyOnly',
        inline: {
          p: decryptWhen({
            'ForAllValues:StringEquals': {
              'kms:EncryptionContextKeys': ['aws:cloudtrail:arn'],
            },
          }),
        },
      },
      {
        name: 'ThisTrail',
        inline: {
          p: decryptWhen({
            StringEquals: { 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL },
          }),
        },
      },
      {
        name: 'Tagged',
        inline: {
          p: decryptWhen({
            StringEquals: { 'aws:PrincipalTag/team': 'security' },
          }),
        },
      },
    ]);
    expect(names(result.readers)).toEqual([
      'BothKeys',
      'ObjectInBucket',
      'Tagged',
      'ThisTrail',
      'ViaS3',
    ]);
    expect(lacking(result)).toEqual({
      ViaEc2: 'kms:Decrypt',
      OtherBucket: 'kms:Decrypt',
      TrailKeyOnly: 'kms:Decrypt',
    });
    const tagged = result.readers.find(r => r.principal === role('Tagged'))!;
    expect(tagged.conditions).toEqual([
      {
        operator: 'StringEquals',
        key: 'aws:PrincipalTag/team',
        values: ['security'],
      },
    ]);
  });

  it('gives each principal its own aws:PrincipalArn, and the account keys to all', () => {
    const onlyAlpha = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 'kms:Decrypt'],
          Resource: [LOGS, KEY],
          Condition: {
            StringEquals: {
              'aws:PrincipalArn': role('Alpha'),
              'aws:PrincipalAccount': A,
            },
          },
        },
      ],
    };
    const result = analyze([
      { name: 'Beta', inline: { p: onlyAlpha } },
      { name: 'Alpha', inline: { p: onlyAlpha } },
      { name: 'Gamma', inline: { p: onlyAlpha } },
    ]);
    expect(names(result.readers)).toEqual(['Alpha']);
    expect(result.readers[0].conditions).toEqual([]);
  });

  it('reports statements AWS accepts without effect and ignores them', () => {
    const policy = {
      ...KMS_DEFAULT_POLICY,
      Statement: [
        ...KMS_DEFAULT_POLICY.Statement,
        {
          Sid: 'NoResource',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'kms:Decrypt',
        },
      ],
    };
    const result = analyze([{ name: 'Nothing' }], {
      key: { arn: KEY, accountId: A, policy },
    });
    expect(result.readers).toEqual([]);
    expect(result.partial).toEqual([]);
    expect(result.ineffective).toEqual([
      {
        policy: 'key policy',
        statement: 'NoResource',
        reason:
          'Statement[1] has neither Resource nor NotResource: accepted by AWS but without effect, ignored',
      },
    ]);
  });
});
