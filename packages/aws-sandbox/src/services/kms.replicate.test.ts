import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import { caught, clientsAs, DEMO, useSandbox } from '../__testUtils__/clients';

const remediation = { role: 'TrailGuardRemediation' };

describe('KMS ReplicateKey', () => {
  const sandbox = useSandbox();
  beforeEach(() => sandbox().loadScenario('demo'));

  it('replicates a multi-Region primary key with its own policy and shows it in MultiRegionConfiguration', async () => {
    const east = await clientsAs(sandbox(), DEMO.payments, remediation);
    const primary = await east.kms.send(
      new CreateKeyCommand({ MultiRegion: true, Description: 'logs' }),
    );
    const id = primary.KeyMetadata!.KeyId!;
    expect(id).toMatch(/^mrk-/);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${DEMO.payments}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    const out = await east.kms.send(
      new ReplicateKeyCommand({
        KeyId: id,
        ReplicaRegion: 'eu-west-1',
        Policy: policy,
        Tags: [{ TagKey: 'purpose', TagValue: 'cloudtrail' }],
      }),
    );
    const replicaArn = `arn:aws:kms:eu-west-1:${DEMO.payments}:key/${id}`;
    expect(out.ReplicaKeyMetadata).toMatchObject({
      Arn: replicaArn,
      KeyId: id,
      KeyState: 'Enabled',
      MultiRegion: true,
      MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' },
    });
    expect(out.ReplicaPolicy).toBe(policy);
    expect(out.ReplicaTags).toEqual([
      { TagKey: 'purpose', TagValue: 'cloudtrail' },
    ]);

    const described = await east.kms.send(
      new DescribeKeyCommand({ KeyId: id }),
    );
    expect(
      described.KeyMetadata!.MultiRegionConfiguration!.ReplicaKeys,
    ).toEqual([{ Arn: replicaArn, Region: 'eu-west-1' }]);

    const west = await clientsAs(sandbox(), DEMO.payments, {
      ...remediation,
      region: 'eu-west-1',
    });
    const replicaPolicy = await west.kms.send(
      new GetKeyPolicyCommand({ KeyId: id, PolicyName: 'default' }),
    );
    expect(replicaPolicy.Policy).toBe(policy);

    const again = await caught(
      east.kms.send(
        new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-west-1' }),
      ),
    );
    expect(again.name).toBe('AlreadyExistsException');
  });

  it('refuses single-Region keys, read-only roles and malformed policies', async () => {
    const east = await clientsAs(sandbox(), DEMO.payments, remediation);
    const single = await caught(
      east.kms.send(
        new ReplicateKeyCommand({
          KeyId: DEMO.paymentsKeyArn,
          ReplicaRegion: 'eu-west-1',
        }),
      ),
    );
    expect(single.name).toBe('UnsupportedOperationException');

    const primary = await east.kms.send(
      new CreateKeyCommand({ MultiRegion: true }),
    );
    const malformed = await caught(
      east.kms.send(
        new ReplicateKeyCommand({
          KeyId: primary.KeyMetadata!.KeyId,
          ReplicaRegion: 'eu-west-1',
          Policy: '{"Statement": [{"Effect": "Allow"}]}',
        }),
      ),
    );
    expect(malformed.name).toBe('MalformedPolicyDocumentException');

    const readOnly = await clientsAs(sandbox(), DEMO.payments);
    const denied = await caught(
      readOnly.kms.send(
        new ReplicateKeyCommand({
          KeyId: primary.KeyMetadata!.Arn,
          ReplicaRegion: 'eu-west-1',
        }),
      ),
    );
    expect(denied.name).toBe('AccessDeniedException');
    expect(
      [...sandbox().state.keys.values()].filter(
        k => k.id === primary.KeyMetadata!.KeyId,
      ),
    ).toHaveLength(1);
  });
});
