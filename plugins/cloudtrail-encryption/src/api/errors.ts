import { ResponseError } from '@backstage/errors';

/**
 * Whether the backend refused an entity's report because its account is
 * outside the scanned estate: an expected, configured state rather than a
 * failure, so callers can explain it instead of showing an error.
 *
 * @public
 */
export function isNotInEstateError(error: unknown): error is ResponseError {
  return (
    ResponseError.is(error) &&
    error.statusCode === 404 &&
    error.cause.name === 'NotInEstateError'
  );
}
