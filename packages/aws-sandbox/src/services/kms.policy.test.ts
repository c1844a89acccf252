import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { caught, clientsAs, DEMO, useSandbox } from '../__testUtils__/clients';

const policy = (...extra: object[]) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${DEMO.payments}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      ...extra,
    ],
  });

describe('KMS key-policy validation and evaluation', () => {
  const sandbox = useSandbox();
  beforeEach(() => sandbox().loadScenario('demo'));

  const remediation = () =>
    clientsAs(sandbox(), DEMO.payments, { role: 'TrailGuardRemediation' });

  it('rejects an unknown condition operator at PutKeyPolicy and keeps the old policy', async () => {
    const { kms } = await remediation();
    const KeyId = DEMO.paymentsKeyArn;
    const before = await kms.send(new GetKeyPolicyCommand({ KeyId }));
    const bad = policy({
      Sid: 'Typo',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringEqualz: { 'aws:SourceArn': 'x' } },
    });
    const err = await caught(
      kms.send(new PutKeyPolicyCommand({ KeyId, Policy: bad })),
    );
    expect(err.name).toBe('MalformedPolicyDocumentException');
    expect(err.message).toContain('StringEqualz');
    const after = await kms.send(new GetKeyPolicyCommand({ KeyId }));
    expect(after.Policy).toBe(before.Policy);
  });

  it('rejects an unknown operator at CreateKey and creates nothing', async () => {
    const { kms } = await remediation();
    const keys = sandbox().state.keys.size;
    const err = await caught(
      kms.send(
        new CreateKeyCommand({
          Policy: policy({
            Effect: 'Deny',
            Principal: '*',
            Action: 'kms:*',
            Resource: '*',
            Condition: {
              'ForAnyValue:NullIfExists': { 'aws:SourceArn': 'true' },
            },
          }),
        }),
      ),
    );
    expect(err.name).toBe('MalformedPolicyDocumentException');
    expect(sandbox().state.keys.size).toBe(keys);
  });

  it('judges the lockout check against the key ARN in Resource', async () => {
    const { kms } = await remediation();
    const KeyId = DEMO.paymentsKeyArn;
    const only = (Resource: string) =>
      JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${DEMO.payments}:root` },
            Action: 'kms:*',
            Resource,
          },
        ],
      });
    await kms.send(new PutKeyPolicyCommand({ KeyId, Policy: only(KeyId) }));
    const otherKey = KeyId.replace('us-east-1', 'eu-west-1');
    const lockout = await caught(
      kms.send(new PutKeyPolicyCommand({ KeyId, Policy: only(otherKey) })),
    );
    expect(lockout.message).toContain('will not allow you to update');
  });

  it('enforces a Deny with NotPrincipal on callers it does not name', async () => {
    sandbox().mutate.putKeyPolicy(
      DEMO.paymentsKeyArn,
      JSON.parse(
        policy({
          Effect: 'Deny',
          NotPrincipal: {
            AWS: `arn:aws:iam::${DEMO.payments}:role/SomeoneElse`,
          },
          Action: 'kms:Describe*',
          Resource: DEMO.paymentsKeyArn,
        }),
      ),
    );
    const { kms } = await clientsAs(sandbox(), DEMO.payments);
    const err = await caught(
      kms.send(new DescribeKeyCommand({ KeyId: DEMO.paymentsKeyArn })),
    );
    expect(err.name).toBe('AccessDeniedException');
  });
});
