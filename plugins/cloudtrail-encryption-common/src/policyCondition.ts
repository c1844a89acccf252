/**
 * A condition that still restricts a principal after evaluation ("allowed only when …").
 *
 * @public
 */
export interface PolicyCondition {
  /** The operator as written in the policy, e.g. `StringEquals`, `ForAnyValue:StringLike`. */
  operator: string;
  /** The condition key, e.g. `aws:PrincipalOrgID`. */
  key: string;
  values: string[];
}
