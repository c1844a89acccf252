import {
  describeAwsError,
  formatAwsError,
} from '@trailguard/plugin-cloudtrail-encryption-node';

/**
 * A refusal or failure of a remediation step, with the AWS error code when
 * AWS answered. The message is what the task log shows, so it says what was
 * checked and what to do, and never includes credentials.
 *
 * @public
 */
export class RemediationError extends Error {
  constructor(message: string, readonly awsErrorCode?: string) {
    super(message);
    this.name = 'RemediationError';
  }
}

/** "GetKeyPolicy of arn:… failed: AccessDeniedException: …" */
export function formatCallError(error: unknown, what: string): string {
  if (error instanceof RemediationError) return error.message;
  return formatAwsError(error, what);
}

/** Runs one AWS call, turning its failure into a RemediationError that names the call and the AWS error code. */
export async function awsCall<T>(
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof RemediationError) throw error;
    throw new RemediationError(
      formatCallError(error, what),
      describeAwsError(error).code,
    );
  }
}
