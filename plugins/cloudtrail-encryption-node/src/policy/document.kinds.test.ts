import { parsePolicy } from './document';

const allow = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

describe('parsePolicy kinds', () => {
  it('reads identity policies without Principal', () => {
    expect(parsePolicy({ Statement: allow }).ok).toBe(false);
    const result = parsePolicy({ Statement: allow }, { kind: 'identity' });
    expect(result.ok && result.policy.statements[0].action).toEqual([
      's3:GetObject',
    ]);
  });

  it('reads trust policies without Resource and bucket policies with CanonicalUser', () => {
    const trust = {
      Statement: {
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    };
    expect(parsePolicy(trust, { kind: 'trust' }).ok).toBe(true);
    const bucket = {
      Statement: [
        { ...allow, Principal: { CanonicalUser: 'abc123' } },
        { ...allow, Principal: { AWS: 'arn:aws:iam::111111111111:root' } },
      ],
    };
    expect(parsePolicy(bucket).ok).toBe(false);
    const parsed = parsePolicy(bucket, { kind: 'resource' });
    expect(parsed.ok && parsed.policy.statements[0].principal).toEqual({
      wildcard: false,
      aws: [],
      service: [],
      federated: [],
    });
  });

  it('leaves out statements without Resource, unless none is left or the policy is to be written', () => {
    const noResource = { Sid: 'Orphan', Effect: 'Allow', Action: '*' };
    const result = parsePolicy(
      { Statement: [allow, noResource] },
      { kind: 'identity' },
    );
    expect(result.ok && result.policy.statements).toHaveLength(1);
    expect(result.ok && result.policy.ineffective).toEqual([
      {
        index: 1,
        label: 'Orphan',
        reason: 'Statement[1] has neither Resource nor NotResource',
      },
    ]);
    expect(
      parsePolicy({ Statement: [noResource] }, { kind: 'identity' }),
    ).toEqual({
      ok: false,
      reason: 'Statement[0] has neither Resource nor NotResource',
    });
    const key = {
      Statement: [
        { ...allow, Principal: '*' },
        { ...noResource, Principal: '*' },
      ],
    };
    expect(parsePolicy(key).ok).toBe(true);
    expect(parsePolicy(key, { forPutKeyPolicy: true })).toEqual({
      ok: false,
      reason: 'Statement[1] has neither Resource nor NotResource',
    });
  });
});
