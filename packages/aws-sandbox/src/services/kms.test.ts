import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListGrantsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { loadScenario } from '../scenario/load';
import {
  caught,
  clientsAs,
  clientsFor,
  DEMO,
  useSandbox,
} from '../__testUtils__/clients';

const rootPolicy = (account: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });

describe('KMS', () => {
  const sandbox = useSandbox();
  beforeEach(() => sandbox().loadScenario('demo'));

  it('describes a key by id, ARN, alias name and alias ARN', async () => {
    const { kms } = await clientsAs(sandbox(), DEMO.payments);
    for (const KeyId of [
      DEMO.paymentsKeyId,
      DEMO.paymentsKeyArn,
      'alias/payments-cloudtrail',
      'arn:aws:kms:us-east-1:100000000001:alias/payments-cloudtrail',
    ]) {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId }));
      expect(KeyMetadata).toEqual({
        AWSAccountId: DEMO.payments,
        KeyId: DEMO.paymentsKeyId,
        Arn: DEMO.paymentsKeyArn,
        CreationDate: expect.any(Date),
        Enabled: true,
        Description: 'CloudTrail log encryption',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: 'Enabled',
        Origin: 'AWS_KMS',
        KeyManager: 'CUSTOMER',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        MultiRegion: false,
      });
    }
  });

  it('reports key states and multi-Region configuration', async () => {
    const analytics = await clientsAs(sandbox(), DEMO.retiredAnalytics);
    const pending = await analytics.kms.send(
      new DescribeKeyCommand({ KeyId: 'alias/retired-analytics-cloudtrail' }),
    );
    expect(pending.KeyMetadata).toMatchObject({
      Enabled: false,
      KeyState: 'PendingDeletion',
      PendingDeletionWindowInDays: 7,
    });
    expect(pending.KeyMetadata!.DeletionDate!.getTime()).toBeGreaterThan(
      Date.now(),
    );

    const ml = await clientsAs(sandbox(), DEMO.mlPlatform, {
      region: 'us-west-2',
    });
    const mrk = await ml.kms.send(
      new DescribeKeyCommand({ KeyId: 'alias/ml-platform-cloudtrail' }),
    );
    expect(mrk.KeyMetadata!.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(mrk.KeyMetadata!.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: mrk.KeyMetadata!.Arn, Region: 'us-west-2' },
      ReplicaKeys: [],
    });
  });

  it('answers NotFoundException for unknown keys and keys of other Regions', async () => {
    const { kms } = await clientsAs(sandbox(), DEMO.dataLake);
    const unknown = await caught(
      kms.send(
        new DescribeKeyCommand({
          KeyId: '00000000-0000-4000-8000-000000000000',
        }),
      ),
    );
    expect(unknown.name).toBe('NotFoundException');
    expect(unknown.$metadata.httpStatusCode).toBe(400);
    // data-lake's key lives in eu-west-1; this client is in us-east-1.
    const otherRegion = await caught(
      kms.send(
        new DescribeKeyCommand({
          KeyId: 'mrk-e24b0a68dbd8470cbbc1ca05ae45feda',
        }),
      ),
    );
    expect(otherRegion.name).toBe('NotFoundException');
    const eu = await clientsAs(sandbox(), DEMO.dataLake, {
      region: 'eu-west-1',
    });
    const found = await eu.kms.send(
      new DescribeKeyCommand({ KeyId: 'mrk-e24b0a68dbd8470cbbc1ca05ae45feda' }),
    );
    expect(found.KeyMetadata!.Arn).toContain(':eu-west-1:');
  });

  it('applies key policies to other accounts', async () => {
    const mgmt = clientsFor(sandbox());
    const denied = await caught(
      mgmt.kms.send(new DescribeKeyCommand({ KeyId: DEMO.orgKeyArn })),
    );
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.$metadata.httpStatusCode).toBe(400);
    const archive = await clientsAs(sandbox(), DEMO.logArchive);
    const policy = await archive.kms.send(
      new GetKeyPolicyCommand({ KeyId: DEMO.orgKeyArn }),
    );
    const doc = JSON.parse(policy.Policy!);
    doc.Statement.push({
      Sid: 'Let the management account audit',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
      Resource: '*',
    });
    sandbox().mutate.putKeyPolicy(DEMO.orgKeyArn, doc);
    const allowed = await mgmt.kms.send(
      new DescribeKeyCommand({ KeyId: DEMO.orgKeyArn }),
    );
    expect(allowed.KeyMetadata!.AWSAccountId).toBe(DEMO.logArchive);
    const rotation = await mgmt.kms.send(
      new GetKeyRotationStatusCommand({ KeyId: DEMO.orgKeyArn }),
    );
    expect(rotation.KeyRotationEnabled).toBe(true);
  });

  it('reads, validates and replaces key policies', async () => {
    const rw = await clientsAs(sandbox(), DEMO.payments, {
      role: 'TrailGuardRemediation',
    });
    const current = await rw.kms.send(
      new GetKeyPolicyCommand({ KeyId: DEMO.paymentsKeyId }),
    );
    expect(current.PolicyName).toBe('default');
    expect(JSON.parse(current.Policy!).Id).toBe(
      'Key policy created by CloudTrail',
    );

    const put = (Policy: string, extra = {}) =>
      rw.kms.send(
        new PutKeyPolicyCommand({
          KeyId: DEMO.paymentsKeyId,
          Policy,
          ...extra,
        }),
      );
    expect((await caught(put('{not json'))).name).toBe(
      'MalformedPolicyDocumentException',
    );
    expect((await caught(put('{"Version":"2012-10-17"}'))).name).toBe(
      'MalformedPolicyDocumentException',
    );
    const lockout = await caught(put(rootPolicy('999999999999')));
    expect(lockout.message).toContain(
      'will not allow you to update the key policy',
    );
    await put(rootPolicy('999999999999'), {
      BypassPolicyLockoutSafetyCheck: true,
    });
    sandbox().mutate.putKeyPolicy(
      DEMO.paymentsKeyArn,
      JSON.parse(rootPolicy(DEMO.payments)),
    );

    const huge = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'x'.repeat(33000),
          Effect: 'Allow',
          Principal: '*',
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    const tooBig = await caught(put(huge));
    expect(tooBig.name).toBe('LimitExceededException');
    await put(rootPolicy(DEMO.payments));
    const after = await rw.kms.send(
      new GetKeyPolicyCommand({ KeyId: DEMO.paymentsKeyId }),
    );
    expect(after.Policy).toBe(rootPolicy(DEMO.payments));
  });

  it('returns raw malformed policies as stored', async () => {
    sandbox().mutate.putRawKeyPolicy(DEMO.paymentsKeyArn, '{"Statement": [');
    const { kms } = await clientsAs(sandbox(), DEMO.payments);
    const out = await kms.send(
      new GetKeyPolicyCommand({ KeyId: DEMO.paymentsKeyArn }),
    );
    expect(out.Policy).toBe('{"Statement": [');
  });

  it('creates keys, including multi-Region keys with a default policy', async () => {
    const rw = await clientsAs(sandbox(), DEMO.marketing, {
      role: 'TrailGuardRemediation',
    });
    const plain = await rw.kms.send(
      new CreateKeyCommand({
        Description: 'trail key',
        Tags: [{ TagKey: 'team', TagValue: 'mkt' }],
      }),
    );
    expect(plain.KeyMetadata).toMatchObject({
      KeyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      KeySpec: 'SYMMETRIC_DEFAULT',
      Description: 'trail key',
      MultiRegion: false,
    });
    const policy = await rw.kms.send(
      new GetKeyPolicyCommand({ KeyId: plain.KeyMetadata!.KeyId }),
    );
    expect(JSON.parse(policy.Policy!).Statement[0]).toMatchObject({
      Sid: 'Enable IAM User Permissions',
      Principal: { AWS: 'arn:aws:iam::100000000002:root' },
      Action: 'kms:*',
    });
    const mrk = await rw.kms.send(new CreateKeyCommand({ MultiRegion: true }));
    expect(mrk.KeyMetadata!.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(mrk.KeyMetadata!.MultiRegionConfiguration!.MultiRegionKeyType).toBe(
      'PRIMARY',
    );
    const bad = await caught(
      rw.kms.send(new CreateKeyCommand({ Policy: 'nope' })),
    );
    expect(bad.name).toBe('MalformedPolicyDocumentException');
  });

  it('manages rotation, aliases, disabling and deletion', async () => {
    const rw = await clientsAs(sandbox(), DEMO.checkout, {
      role: 'TrailGuardRemediation',
    });
    const KeyId = 'alias/checkout-staging-cloudtrail';
    expect(
      (await rw.kms.send(new GetKeyRotationStatusCommand({ KeyId })))
        .KeyRotationEnabled,
    ).toBe(false);
    await rw.kms.send(
      new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 180 }),
    );
    const status = await rw.kms.send(
      new GetKeyRotationStatusCommand({ KeyId }),
    );
    expect(status).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 180,
    });
    expect(status.NextRotationDate!.getTime()).toBeGreaterThan(Date.now());

    const { KeyMetadata } = await rw.kms.send(
      new DescribeKeyCommand({ KeyId }),
    );
    await rw.kms.send(
      new CreateAliasCommand({
        AliasName: 'alias/second',
        TargetKeyId: KeyMetadata!.KeyId,
      }),
    );
    const dup = await caught(
      rw.kms.send(
        new CreateAliasCommand({
          AliasName: 'alias/second',
          TargetKeyId: KeyMetadata!.KeyId,
        }),
      ),
    );
    expect(dup.name).toBe('AlreadyExistsException');
    const aliases = await rw.kms.send(
      new ListAliasesCommand({ KeyId: KeyMetadata!.Arn }),
    );
    expect(aliases.Aliases!.map(a => a.AliasName).sort()).toEqual([
      'alias/checkout-staging-cloudtrail',
      'alias/second',
    ]);
    expect(aliases.Aliases![0].AliasArn).toMatch(
      /^arn:aws:kms:us-east-1:100000000006:alias\//,
    );

    await rw.kms.send(new DisableKeyCommand({ KeyId }));
    const disabled = await rw.kms.send(new DescribeKeyCommand({ KeyId }));
    expect(disabled.KeyMetadata).toMatchObject({
      Enabled: false,
      KeyState: 'Disabled',
    });
    const rotateDisabled = await caught(
      rw.kms.send(new EnableKeyRotationCommand({ KeyId })),
    );
    expect(rotateDisabled.name).toBe('DisabledException');

    const tooSoon = await caught(
      rw.kms.send(
        new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 3 }),
      ),
    );
    expect(tooSoon.name).toBe('ValidationException');
    const scheduled = await rw.kms.send(
      new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }),
    );
    expect(scheduled).toMatchObject({
      KeyId: KeyMetadata!.Arn,
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 7,
    });
    const days = (scheduled.DeletionDate!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    const again = await caught(
      rw.kms.send(new ScheduleKeyDeletionCommand({ KeyId })),
    );
    expect(again.name).toBe('KMSInvalidStateException');
  });

  it('pages ListGrants with Limit, NextMarker and Truncated', async () => {
    const demo = loadScenario('demo');
    const key = demo.keys!.find(k => k.id === DEMO.paymentsKeyId)!;
    for (let i = 0; i < 4; i++) {
      key.grants!.push({
        name: `extra-${i}`,
        granteePrincipal: `arn:aws:iam::100000000001:role/R${i}`,
        operations: ['Decrypt'],
      });
    }
    sandbox().loadScenario(demo);
    const { kms } = await clientsAs(sandbox(), DEMO.payments);
    const first = await kms.send(
      new ListGrantsCommand({ KeyId: DEMO.paymentsKeyId, Limit: 2 }),
    );
    expect(first.Truncated).toBe(true);
    expect(first.Grants![0]).toEqual({
      KeyId: DEMO.paymentsKeyArn,
      GrantId: expect.stringMatching(/^[0-9a-f]{64}$/),
      Name: 'log-processor-decrypt',
      CreationDate: expect.any(Date),
      GranteePrincipal: 'arn:aws:iam::100000000001:role/LogProcessor',
      IssuingAccount: 'arn:aws:iam::100000000001:root',
      Operations: ['Decrypt'],
      Constraints: {
        EncryptionContextSubset: {
          'aws:cloudtrail:arn': DEMO.paymentsTrailArn,
        },
      },
    });
    const names = first.Grants!.map(g => g.Name);
    let marker = first.NextMarker;
    while (marker) {
      const page = await kms.send(
        new ListGrantsCommand({
          KeyId: DEMO.paymentsKeyId,
          Limit: 2,
          Marker: marker,
        }),
      );
      names.push(...page.Grants!.map(g => g.Name));
      marker = page.Truncated ? page.NextMarker : undefined;
    }
    expect(names).toHaveLength(5);
    const bad = await caught(
      kms.send(
        new ListGrantsCommand({ KeyId: DEMO.paymentsKeyId, Marker: 'x' }),
      ),
    );
    expect(bad.name).toBe('InvalidMarkerException');
  });
});
