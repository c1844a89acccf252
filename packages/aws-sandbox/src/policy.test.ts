import { parsePolicy, policyAllows, policyDocumentProblem } from './policy';
import { casePolicyRequest, POLICY_CASES } from './policyCases';

describe('the sandbox evaluator against the shared key-policy cases', () => {
  it.each(POLICY_CASES.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const doc = parsePolicy(JSON.stringify(c.policy));
    expect(doc && policyDocumentProblem(doc)).toBeUndefined();
    const allowed = policyAllows(doc!, casePolicyRequest(c.request));
    expect(allowed ? 'allow' : 'deny').toBe(c.expected);
  });

  it.each(
    POLICY_CASES.filter(c => c.openToAnyPrincipal !== undefined).map(
      c => [c.name, c] as const,
    ),
  )('%s: open to any principal as the case says', (_name, c) => {
    const doc = parsePolicy(JSON.stringify(c.policy))!;
    const stranger = casePolicyRequest({
      kind: 'decrypt',
      principalArn: 'arn:aws:iam::999999999999:user/stranger',
    });
    expect(policyAllows(doc, stranger)).toBe(c.openToAnyPrincipal);
  });

  it('covers every kind of request with both answers', () => {
    const kinds = new Set(
      POLICY_CASES.map(
        c =>
          `${c.request.kind}:${
            c.request.kind === 'cloudtrail' ? c.request.action : ''
          }:${c.expected}`,
      ),
    );
    expect(kinds.size).toBe(6);
    expect(new Set(POLICY_CASES.map(c => c.name)).size).toBe(
      POLICY_CASES.length,
    );
  });
});

describe('NotPrincipal with Deny', () => {
  const role = 'arn:aws:iam::111111111111:role/Auditor';
  const denyAllBut = (...names: string[]) =>
    parsePolicy(
      JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: '111111111111' },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Effect: 'Deny',
            NotPrincipal: { AWS: names },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      }),
    )!;
  const asRole = {
    action: 'kms:Decrypt',
    resource: 'k',
    awsPrincipals: ['111111111111', 'arn:aws:iam::111111111111:root', role],
  };
  const asRoot = {
    ...asRole,
    awsPrincipals: ['111111111111', 'arn:aws:iam::111111111111:root'],
  };

  it('spares a role only when its account is listed too', () => {
    expect(
      policyAllows(denyAllBut('arn:aws:iam::111111111111:root'), asRole),
    ).toBe(false);
    expect(policyAllows(denyAllBut(role), asRole)).toBe(false);
    expect(policyAllows(denyAllBut('111111111111', role), asRole)).toBe(true);
  });

  it('spares the account itself when listed by id or root ARN', () => {
    expect(policyAllows(denyAllBut('111111111111'), asRoot)).toBe(true);
    expect(
      policyAllows(denyAllBut('arn:aws:iam::111111111111:root'), asRoot),
    ).toBe(true);
    expect(policyAllows(denyAllBut('222222222222'), asRoot)).toBe(false);
  });
});

describe('policyDocumentProblem', () => {
  const statement = (extra: object) =>
    parsePolicy(
      JSON.stringify({
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'kms:*',
          Resource: '*',
          ...extra,
        },
      }),
    )!;

  it('accepts every documented operator form', () => {
    for (const op of [
      'StringEquals',
      'stringlike',
      'ArnNotLikeIfExists',
      'ForAnyValue:StringEquals',
      'ForAllValues:StringNotLikeIfExists',
      'NumericLessThan',
      'DateGreaterThan',
      'Bool',
      'IpAddress',
      'Null',
    ]) {
      expect(
        policyDocumentProblem(statement({ Condition: { [op]: { k: 'v' } } })),
      ).toBeUndefined();
    }
  });

  it.each([
    ['an unknown operator', { Condition: { StringEqualz: { k: 'v' } } }],
    ['NullIfExists', { Condition: { NullIfExists: { k: 'true' } } }],
    [
      'a set operator on Null',
      { Condition: { 'ForAnyValue:Null': { k: 'true' } } },
    ],
    ['an invalid Effect', { Effect: 'Maybe' }],
    ['both Principal and NotPrincipal', { NotPrincipal: { AWS: '1' } }],
    ['no Action', { Action: undefined }],
  ])('rejects %s', (_name, extra) => {
    expect(policyDocumentProblem(statement(extra))).toMatch(/^Policy contains/);
  });

  it('never treats an unknown operator as satisfied', () => {
    const doc = statement({ Condition: { StringEqualz: { k: 'v' } } });
    expect(
      policyAllows(doc, {
        action: 'kms:Decrypt',
        awsPrincipals: ['1'],
        resource: 'x',
      }),
    ).toBe(false);
  });
});

describe('conditions', () => {
  const allows = (
    condition: object,
    context: Record<string, string | string[]>,
  ) =>
    policyAllows(
      {
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: '*',
            Resource: '*',
            Condition: condition as any,
          },
        ],
      },
      { action: 'kms:Decrypt', awsPrincipals: ['1'], resource: 'k', context },
    );

  it('compares numbers, dates and IPv4 ranges', () => {
    expect(allows({ NumericLessThan: { n: '10' } }, { n: '9' })).toBe(true);
    expect(allows({ NumericLessThan: { n: '10' } }, { n: '10' })).toBe(false);
    expect(
      allows(
        { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
        { 'aws:CurrentTime': '2021-01-01T00:00:00Z' },
      ),
    ).toBe(true);
    expect(
      allows(
        { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        { 'aws:SourceIp': '10.1.2.3' },
      ),
    ).toBe(true);
    expect(
      allows(
        { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        { 'aws:SourceIp': '10.1.2.3' },
      ),
    ).toBe(false);
  });

  it('matches condition keys case-insensitively and values case-sensitively', () => {
    expect(
      allows(
        { StringEquals: { 'AWS:SOURCEACCOUNT': '1' } },
        { 'aws:SourceAccount': '1' },
      ),
    ).toBe(true);
    expect(allows({ StringEquals: { k: 'A' } }, { k: 'a' })).toBe(false);
    expect(allows({ StringEqualsIgnoreCase: { k: 'A' } }, { k: 'a' })).toBe(
      true,
    );
  });
});
