/**
 * IAM condition operators by name: `[ForAnyValue:|ForAllValues:]Base[IfExists]`,
 * case-insensitive, as the IAM JSON policy reference documents them. What an
 * operator means for a request is the analysis's business; this says only
 * which names exist.
 */

/** @public */
export const CONDITION_OPERATORS: readonly string[] = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
];

const BY_LOWER_CASE = new Map(
  CONDITION_OPERATORS.map(name => [name.toLowerCase(), name]),
);

/** @public */
export interface ConditionOperatorName {
  /** The base operator as documented, e.g. `StringNotLike`. */
  base: string;
  /** `StringNotEquals`, `ArnNotLike`, `NotIpAddress`…: NOR over the values. */
  negated: boolean;
  set?: 'any' | 'all';
  ifExists: boolean;
}

/**
 * Splits an operator into its qualifiers and base; undefined when IAM would
 * not accept the name (`Null` takes no qualifier).
 *
 * @public
 */
export function parseConditionOperator(
  operator: string,
): ConditionOperatorName | undefined {
  let rest = operator;
  let set: ConditionOperatorName['set'];
  const lower = rest.toLowerCase();
  if (lower.startsWith('foranyvalue:')) {
    set = 'any';
    rest = rest.slice('ForAnyValue:'.length);
  } else if (lower.startsWith('forallvalues:')) {
    set = 'all';
    rest = rest.slice('ForAllValues:'.length);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const base = BY_LOWER_CASE.get(rest.toLowerCase());
  if (!base || (base === 'Null' && (set || ifExists))) return undefined;
  return { base, negated: base.includes('Not'), set, ifExists };
}
