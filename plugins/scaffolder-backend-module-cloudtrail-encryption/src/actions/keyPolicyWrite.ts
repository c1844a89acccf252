import { RemediationError } from '../aws/errors';
import type { RemediationOperations } from '../aws/operations';
import type { AuditTarget, RemediationAccess } from './access';

/**
 * Replaces a key policy that was read as `before` with `after`, audited.
 * KMS has no conditional write; reading the policy again just before the
 * write narrows the window in which someone else's edit could be
 * overwritten to a moment, and refuses when it changed meanwhile.
 */
export async function replaceKeyPolicy(options: {
  access: RemediationAccess;
  ops: RemediationOperations;
  initiator: string;
  target: AuditTarget;
  region: string;
  keyArn: string;
  before: string;
  after: string;
}): Promise<void> {
  const { access, ops, initiator, target, region, keyArn, before, after } =
    options;
  if ((await ops.getKeyPolicy(region, keyArn)) !== before) {
    throw new RemediationError(
      `The key policy of ${keyArn} changed while it was being edited; nothing was written, run the step again`,
    );
  }
  await access.write(
    'kms:PutKeyPolicy',
    initiator,
    { ...target, policyBefore: before, policyAfter: after },
    () => ops.putKeyPolicy(region, keyArn, after),
  );
}
