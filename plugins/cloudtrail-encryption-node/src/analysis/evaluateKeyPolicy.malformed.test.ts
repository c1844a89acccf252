import { CONTEXT } from './__fixtures__/keyPolicies';
import { evaluateKeyPolicy } from './evaluateKeyPolicy';

const statement = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111111111111:root' },
  Action: 'kms:*',
  Resource: '*',
};

describe('malformed key policies', () => {
  it.each<[string, unknown, unknown]>([
    [
      'invalid JSON',
      '{"Statement": [',
      expect.stringMatching(/^the key policy is not valid JSON \(.+\)$/),
    ],
    ['a JSON array', '[]', 'the key policy is not a JSON object'],
    ['JSON null', 'null', 'the key policy is not a JSON object'],
    ['a number', 42, 'the key policy is not a JSON object'],
    ['nothing', undefined, 'the key policy is not a JSON object'],
    [
      'no Statement',
      { Version: '2012-10-17' },
      'the key policy has no Statement',
    ],
    [
      'an empty Statement',
      { Statement: [] },
      'the key policy has an empty Statement list',
    ],
    [
      'a string Statement',
      { Statement: 'Allow' },
      'Statement must be an object or a list of objects',
    ],
    [
      'a statement that is not an object',
      { Statement: [statement, 'x'] },
      'Statement[1] is not an object',
    ],
    [
      'a lower-case Effect',
      { Statement: { ...statement, Effect: 'allow' } },
      'Statement[0].Effect must be "Allow" or "Deny", got "allow"',
    ],
    [
      'a missing Effect',
      { Statement: { ...statement, Effect: undefined } },
      'Statement[0].Effect must be "Allow" or "Deny", got undefined',
    ],
    [
      'a numeric Action',
      { Statement: { ...statement, Action: 42 } },
      'Statement[0].Action must be a string or a list of strings',
    ],
    [
      'a mixed Action list',
      { Statement: { ...statement, Action: ['kms:Decrypt', 1] } },
      'Statement[0].Action must be a string or a list of strings',
    ],
    [
      'an empty Action list',
      { Statement: { ...statement, Action: [] } },
      'Statement[0].Action is an empty list',
    ],
    [
      'both Action and NotAction',
      { Statement: { ...statement, NotAction: 'kms:Decrypt' } },
      'Statement[0] has both Action and NotAction',
    ],
    [
      'no Resource',
      { Statement: { ...statement, Resource: undefined } },
      'Statement[0] has neither Resource nor NotResource',
    ],
    [
      'no Principal',
      { Statement: { ...statement, Principal: undefined } },
      'Statement[0] has neither Principal nor NotPrincipal',
    ],
    [
      'an ARN string Principal',
      {
        Statement: {
          ...statement,
          Principal: 'arn:aws:iam::111111111111:root',
        },
      },
      'Statement[0].Principal must be "*" or an object such as {"AWS": …}',
    ],
    [
      'an unknown principal type',
      { Statement: { ...statement, Principal: { CanonicalUser: 'abc' } } },
      'Statement[0].Principal has unsupported principal type "CanonicalUser"',
    ],
    [
      'a numeric AWS principal',
      { Statement: { ...statement, Principal: { AWS: 111111111111 } } },
      'Statement[0].Principal.AWS must be a string or a list of strings',
    ],
    [
      'a Condition list',
      { Statement: { ...statement, Condition: [] } },
      'Statement[0].Condition must be an object',
    ],
    [
      'a Condition operator without keys',
      { Statement: { ...statement, Condition: { StringEquals: 'x' } } },
      'Statement[0].Condition.StringEquals must map condition keys to values',
    ],
    [
      'an object condition value',
      {
        Statement: {
          ...statement,
          Condition: { StringEquals: { 'aws:SourceArn': { a: 1 } } },
        },
      },
      'Statement[0].Condition.StringEquals.aws:SourceArn values must be strings, numbers or booleans',
    ],
    [
      'a numeric Sid',
      { Statement: { ...statement, Sid: 1 } },
      'Statement[0].Sid must be a string',
    ],
  ])('rejects %s with a reason, never a throw', (_name, policy, reason) => {
    const result = evaluateKeyPolicy(policy, CONTEXT);
    expect(result).toEqual({
      readable: false,
      reason,
    });
  });

  it('accepts a single statement object and JSON booleans and numbers in conditions', () => {
    const result = evaluateKeyPolicy(
      {
        Statement: {
          ...statement,
          Action: 'kms:Decrypt',
          Condition: {
            Bool: { 'aws:MultiFactorAuthPresent': true },
            NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 },
          },
        },
      },
      CONTEXT,
    );
    expect(result).toMatchObject({
      readable: true,
      statements: 1,
      decryptPrincipals: [
        {
          conditions: [
            {
              operator: 'Bool',
              key: 'aws:MultiFactorAuthPresent',
              values: ['true'],
            },
            {
              operator: 'NumericLessThan',
              key: 'aws:MultiFactorAuthAge',
              values: ['3600'],
            },
          ],
        },
      ],
    });
  });
});
