import {
  ContextValue,
  evaluateCondition,
  evaluateConditions,
  RequestContext,
} from './conditions';

function contextOf(values: Record<string, string[] | null>): RequestContext {
  return {
    lookup(key: string): ContextValue | undefined {
      const entry = Object.entries(values).find(
        ([k]) => k.toLowerCase() === key,
      );
      if (!entry) return undefined;
      return entry[1] === null
        ? { present: false }
        : { present: true, values: entry[1] };
    },
  };
}

const ctx = contextOf({
  'kms:CallerAccount': ['111111111111'],
  'aws:SourceArn': ['arn:aws:cloudtrail:us-east-1:111111111111:trail/t'],
  'kms:EncryptionContextKeys': ['aws:cloudtrail:arn', 'extra'],
  'aws:SecureTransport': ['true'],
  'aws:SourceAccount': null,
});

const decide = (operator: string, key: string, values: string[]) =>
  evaluateCondition({ operator, key, values }, ctx).result;

describe('string operators', () => {
  it('StringEquals is exact and any-of over values', () => {
    expect(decide('StringEquals', 'kms:CallerAccount', ['111111111111'])).toBe(
      'true',
    );
    expect(
      decide('StringEquals', 'kms:CallerAccount', [
        '222222222222',
        '111111111111',
      ]),
    ).toBe('true');
    expect(decide('StringEquals', 'kms:CallerAccount', ['11111111111*'])).toBe(
      'false',
    );
  });

  it('condition key names are case-insensitive', () => {
    expect(decide('StringEquals', 'KMS:CALLERACCOUNT', ['111111111111'])).toBe(
      'true',
    );
  });

  it('negated operators are NOR over values', () => {
    expect(
      decide('StringNotEquals', 'kms:CallerAccount', ['222222222222']),
    ).toBe('true');
    expect(
      decide('StringNotEquals', 'kms:CallerAccount', [
        '222222222222',
        '111111111111',
      ]),
    ).toBe('false');
  });

  it('IgnoreCase variants ignore case', () => {
    expect(
      decide('StringEqualsIgnoreCase', 'aws:SourceArn', [
        'ARN:AWS:CLOUDTRAIL:US-EAST-1:111111111111:TRAIL/T',
      ]),
    ).toBe('true');
    expect(
      decide('StringEquals', 'aws:SourceArn', [
        'ARN:AWS:CLOUDTRAIL:US-EAST-1:111111111111:TRAIL/T',
      ]),
    ).toBe('false');
    expect(
      decide('StringNotEqualsIgnoreCase', 'aws:SourceArn', [
        'arn:aws:cloudtrail:us-east-1:111111111111:TRAIL/T',
      ]),
    ).toBe('false');
  });

  it('StringLike and StringNotLike take * and ?', () => {
    expect(
      decide('StringLike', 'aws:SourceArn', [
        'arn:aws:cloudtrail:*:111111111111:trail/?',
      ]),
    ).toBe('true');
    expect(
      decide('StringNotLike', 'aws:SourceArn', [
        'arn:aws:cloudtrail:*:111111111111:trail/*',
      ]),
    ).toBe('false');
    expect(
      decide('StringNotLike', 'aws:SourceArn', [
        'arn:aws:cloudtrail:*:222222222222:trail/*',
      ]),
    ).toBe('true');
  });

  it('ARN operators compare ARN parts with wildcards', () => {
    expect(
      decide('ArnLike', 'aws:SourceArn', [
        'arn:aws:cloudtrail:*:111111111111:trail/*',
      ]),
    ).toBe('true');
    expect(
      decide('ArnEquals', 'aws:SourceArn', [
        'arn:aws:cloudtrail:us-east-1:111111111111:trail/t',
      ]),
    ).toBe('true');
    expect(
      decide('ArnNotEquals', 'aws:SourceArn', [
        'arn:aws:cloudtrail:us-east-1:111111111111:trail/t',
      ]),
    ).toBe('false');
    expect(
      decide('ArnNotLike', 'aws:SourceArn', [
        'arn:aws:cloudtrail:*:222222222222:*',
      ]),
    ).toBe('true');
  });
});

describe('missing keys', () => {
  it('fail positive operators and satisfy negated ones', () => {
    expect(decide('StringEquals', 'aws:SourceAccount', ['111111111111'])).toBe(
      'false',
    );
    expect(
      decide('StringNotEquals', 'aws:SourceAccount', ['111111111111']),
    ).toBe('true');
    expect(decide('ArnNotLike', 'aws:SourceAccount', ['*'])).toBe('true');
  });

  it('IfExists passes when the key is absent and checks it when present', () => {
    expect(decide('StringEqualsIfExists', 'aws:SourceAccount', ['x'])).toBe(
      'true',
    );
    expect(
      decide('StringEqualsIfExists', 'kms:CallerAccount', ['222222222222']),
    ).toBe('false');
    expect(
      decide('StringEqualsIfExists', 'kms:CallerAccount', ['111111111111']),
    ).toBe('true');
  });

  it('Null tests presence', () => {
    expect(decide('Null', 'aws:SourceAccount', ['true'])).toBe('true');
    expect(decide('Null', 'aws:SourceAccount', ['false'])).toBe('false');
    expect(decide('Null', 'kms:CallerAccount', ['false'])).toBe('true');
    expect(decide('Null', 'kms:CallerAccount', ['TRUE'])).toBe('false');
  });

  it('Bool compares true/false text', () => {
    expect(decide('Bool', 'aws:SecureTransport', ['true'])).toBe('true');
    expect(decide('Bool', 'aws:SecureTransport', ['false'])).toBe('false');
    expect(decide('Bool', 'aws:SourceAccount', ['false'])).toBe('false');
    expect(decide('BoolIfExists', 'aws:SourceAccount', ['false'])).toBe('true');
  });
});

describe('set operators', () => {
  it('ForAnyValue needs one request value to match', () => {
    expect(
      decide('ForAnyValue:StringEquals', 'kms:EncryptionContextKeys', [
        'extra',
      ]),
    ).toBe('true');
    expect(
      decide('ForAnyValue:StringEquals', 'kms:EncryptionContextKeys', [
        'other',
      ]),
    ).toBe('false');
    expect(decide('ForAnyValue:StringEquals', 'aws:SourceAccount', ['x'])).toBe(
      'false',
    );
    expect(
      decide('ForAnyValue:StringNotLike', 'kms:EncryptionContextKeys', [
        'aws:*',
      ]),
    ).toBe('true');
  });

  it('ForAllValues needs every request value to match, and passes on a missing key', () => {
    expect(
      decide('ForAllValues:StringEquals', 'kms:EncryptionContextKeys', [
        'aws:cloudtrail:arn',
      ]),
    ).toBe('false');
    expect(
      decide('ForAllValues:StringLike', 'kms:EncryptionContextKeys', [
        'aws:cloudtrail:arn',
        'ext*',
      ]),
    ).toBe('true');
    expect(
      decide('ForAllValues:StringEquals', 'aws:SourceAccount', ['x']),
    ).toBe('true');
  });

  it('accepts IfExists under a set operator', () => {
    expect(
      decide('ForAnyValue:StringEqualsIfExists', 'aws:SourceAccount', ['x']),
    ).toBe('true');
  });
});

describe('undecidable conditions', () => {
  it('keeps keys the context does not determine', () => {
    expect(decide('StringEquals', 'aws:PrincipalOrgID', ['o-1'])).toBe(
      'undecided',
    );
    expect(decide('IpAddress', 'aws:SourceIp', ['10.0.0.0/8'])).toBe(
      'undecided',
    );
  });

  it('never decides an unknown operator, and says so', () => {
    const result = evaluateCondition(
      {
        operator: 'StringSortOfEquals',
        key: 'kms:CallerAccount',
        values: ['111111111111'],
      },
      ctx,
    );
    expect(result.result).toBe('undecided');
    expect(result.note).toContain(
      'Unknown condition operator "StringSortOfEquals"',
    );
  });

  it('does not guess policy variables', () => {
    const result = evaluateCondition(
      {
        operator: 'StringEquals',
        key: 'kms:CallerAccount',
        values: ['${aws:PrincipalAccount}'],
      },
      ctx,
    );
    expect(result.result).toBe('undecided');
  });

  it('ANDs everything: one false decides, otherwise undecided ones stay', () => {
    const conds = [
      {
        operator: 'StringEquals',
        key: 'kms:CallerAccount',
        values: ['111111111111'],
      },
      { operator: 'StringEquals', key: 'aws:PrincipalOrgID', values: ['o-1'] },
    ];
    expect(evaluateConditions(conds, ctx)).toEqual({
      result: 'undecided',
      pending: [
        {
          operator: 'StringEquals',
          key: 'aws:PrincipalOrgID',
          values: ['o-1'],
        },
      ],
      notes: [],
    });
    expect(
      evaluateConditions(
        [
          ...conds,
          { operator: 'Bool', key: 'aws:SecureTransport', values: ['false'] },
        ],
        ctx,
      ).result,
    ).toBe('false');
    expect(evaluateConditions([], ctx).result).toBe('true');
  });
});
