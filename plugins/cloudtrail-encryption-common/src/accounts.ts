/**
 * Catalog annotations that name an entity's AWS account id.
 *
 * @public
 */
export const AWS_ACCOUNT_ID_ANNOTATION = 'amazonaws.com/account-id';
/**
 * The annotation Roadie's AWS plugins use, accepted as well.
 *
 * @public
 */
export const ROADIE_AWS_ACCOUNT_ID_ANNOTATION = 'amazon.com/account-id';

const ACCOUNT_ID = /^\d{12}$/;

/** @public */
export function isAwsAccountId(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_ID.test(value);
}

/**
 * Reads the account id an entity is annotated with, if it is a valid one.
 *
 * @public
 */
export function getAwsAccountIdFromAnnotations(
  annotations: Record<string, string> | undefined,
): string | undefined {
  const value =
    annotations?.[AWS_ACCOUNT_ID_ANNOTATION] ??
    annotations?.[ROADIE_AWS_ACCOUNT_ID_ANNOTATION];
  const trimmed = value?.trim();
  return isAwsAccountId(trimmed) ? trimmed : undefined;
}
