import {
  keyPolicySizeProblem,
  MAX_KEY_POLICY_BYTES,
  parsePolicy,
  serializePolicy,
  stringValues,
} from './document';

const admin = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 'kms:*',
  Resource: '*',
};
const policy = (extra: Record<string, unknown> = {}, statement = {}) => ({
  Version: '2012-10-17',
  Statement: [{ ...admin, ...statement }],
  ...extra,
});
const forPut = (input: unknown) =>
  parsePolicy(
    typeof input === 'string' ? input : JSON.stringify(input, null, 2),
    { forPutKeyPolicy: true },
  );

describe('parsePolicy', () => {
  it('keeps the document as written next to the normalised statements', () => {
    const text = JSON.stringify({
      Id: 'key-default-1',
      Version: '2012-10-17',
      Statement: admin,
    });
    const result = parsePolicy(text);
    if (!result.ok) throw new Error(result.reason);
    expect(Object.keys(result.policy.document)).toEqual([
      'Id',
      'Version',
      'Statement',
    ]);
    expect(result.policy.statementWasObject).toBe(true);
    expect(result.policy.rawStatements).toEqual([admin]);
    expect(result.policy.text).toEqual({
      bytes: text.length,
      indented: false,
      lossyNumbers: [],
    });
    expect(result.policy.statements[0]).toMatchObject({
      index: 0,
      label: 'Enable IAM User Permissions',
      effect: 'Allow',
      principal: {
        wildcard: false,
        aws: ['arn:aws:iam::111122223333:root'],
        service: [],
        federated: [],
      },
      action: ['kms:*'],
      resource: ['*'],
      conditions: [],
    });
  });

  it('accepts an already parsed value and has no text facts then', () => {
    const result = parsePolicy(policy());
    expect(result.ok && result.policy.text).toBeUndefined();
    expect(result.ok && result.policy.statementWasObject).toBe(false);
  });

  it('reads a stored policy leniently where KMS already accepted it', () => {
    const stored = policy(
      { Version: '2008-10-17' },
      { Condition: { StringAlmostEquals: { 'kms:CallerAccount': '1' } } },
    );
    expect(parsePolicy(JSON.stringify(stored)).ok).toBe(true);
    expect(forPut(stored)).toEqual({
      ok: false,
      reason:
        'Statement[0].Condition has unknown condition operator "StringAlmostEquals"',
    });
  });

  it('records numbers that would print differently and refuses them for a write', () => {
    const text = JSON.stringify(
      policy({}, { Condition: { NumericLessThan: { 'kms:x': 7 } } }),
    ).replace('"kms:x":7', '"kms:x":1.0');
    const read = parsePolicy(text);
    expect(read.ok && read.policy.text?.lossyNumbers).toEqual(['1.0']);
    expect(forPut(text)).toEqual({
      ok: false,
      reason:
        'the key policy contains numbers that would be rewritten differently (1.0); write them as strings first',
    });
  });

  it.each<[string, unknown, string]>([
    [
      'an unknown Version',
      policy({ Version: '2024-01-01' }),
      'Version must be "2012-10-17" or "2008-10-17", got "2024-01-01"',
    ],
    [
      'a misspelt statement element',
      policy({}, { Effekt: 'Allow' }),
      'Statement[0] has unknown element "Effekt"',
    ],
    [
      'IfExists on Null',
      policy({}, { Condition: { NullIfExists: { 'aws:SourceArn': 'true' } } }),
      'Statement[0].Condition has unknown condition operator "NullIfExists"',
    ],
    [
      'a set qualifier on an unknown operator',
      policy(
        {},
        { Condition: { 'ForAnyValue:StringSortOf': { 'aws:SourceArn': 'x' } } },
      ),
      'Statement[0].Condition has unknown condition operator "ForAnyValue:StringSortOf"',
    ],
    [
      'no Principal (KMS requires one in a key policy)',
      policy({}, { Principal: undefined }),
      'Statement[0] has neither Principal nor NotPrincipal',
    ],
  ])('refuses for a write: %s', (_name, input, reason) => {
    expect(forPut(input)).toEqual({ ok: false, reason });
  });

  it('accepts every documented operator form for a write', () => {
    const result = forPut(
      policy(
        {},
        {
          Condition: {
            'ForAnyValue:StringLikeIfExists': { 'aws:SourceArn': 'arn:*' },
            'forallvalues:stringequals': { 'kms:EncryptionContextKeys': 'a' },
            ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/x' },
            NumericLessThanEquals: { 'kms:x': 3 },
            Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' },
          },
        },
      ),
    );
    expect(result.ok).toBe(true);
    expect(result.ok && result.policy.statements[0].conditions).toHaveLength(5);
  });

  it('enforces the 32 KB KMS limit on the text, in UTF-8 bytes', () => {
    const padded = (length: number) =>
      JSON.stringify(policy({ Id: 'x'.repeat(length) }));
    const base = padded(0).length;
    const exact = padded(MAX_KEY_POLICY_BYTES - base);
    expect(exact.length).toBe(MAX_KEY_POLICY_BYTES);
    expect(forPut(exact).ok).toBe(true);
    // One two-byte character more than fits.
    const over = exact.replace('"Id":"x', '"Id":"é');
    expect(over.length).toBe(MAX_KEY_POLICY_BYTES);
    expect(forPut(over)).toEqual({
      ok: false,
      reason: `the key policy is ${
        MAX_KEY_POLICY_BYTES + 1
      } bytes, over the KMS limit of 32768 bytes`,
    });
    expect(keyPolicySizeProblem(exact)).toBeUndefined();
    // A stored policy is read whatever its size: KMS holds it already.
    expect(parsePolicy(over).ok).toBe(true);
  });

  it('writes a document back indented or compact', () => {
    const doc = policy();
    expect(serializePolicy(doc, false)).toBe(JSON.stringify(doc));
    expect(serializePolicy(doc, true)).toBe(JSON.stringify(doc, null, 2));
  });

  it('reads IAM one-or-many values as lists', () => {
    expect(stringValues('kms:Decrypt')).toEqual(['kms:Decrypt']);
    expect(stringValues(['a', 1, 'b'])).toEqual(['a', 'b']);
    expect(stringValues(undefined)).toEqual([]);
  });
});
