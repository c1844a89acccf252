import { createHash } from 'node:crypto';
import type {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { cloudTrailEncryptionRemediatePermission } from '@trailguard/plugin-cloudtrail-encryption-common';

type JsonObject = Parameters<AuditorService['createEvent']>[0]['meta'] & {};
/** @public */
export type ResourcePermission = typeof cloudTrailEncryptionRemediatePermission;

/**
 * The services every remediation action needs to decide and record who did what.
 *
 * @public
 */
export interface RemediationAccessServices {
  permissions: PermissionsService;
  auditor: AuditorService;
}

/**
 * What an audit event says about the target of a write or refusal.
 *
 * @public
 */
export interface AuditTarget {
  accountId: string;
  trailArn?: string;
  keyArn?: string;
  /** The key policy before and after; only their hashes are recorded. */
  policyBefore?: string;
  policyAfter?: string;
  [extra: string]: unknown;
}

/** @public */
export type Ctx = ActionContext<any, any>;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** "user:default/jane", "plugin:scaffolder" or "anonymous". */
export function initiatorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user') return principal.userEntityRef!;
  if (principal.type === 'service') return principal.subject!;
  return principal.type;
}

/**
 * The scaffolder writes a failed step's `error.stack` into the task log; a
 * refusal is an expected outcome, so its log entry is its one-line reason.
 */
export function withOneLineStack<E extends Error>(error: E): E {
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

function auditMeta(
  action: string,
  initiator: string,
  target: AuditTarget,
): JsonObject {
  const { policyBefore, policyAfter, ...rest } = target;
  const meta: JsonObject = { action, initiator };
  for (const [k, v] of Object.entries(rest)) {
    if (v !== undefined) meta[k] = v as JsonObject[string];
  }
  if (policyBefore !== undefined)
    meta.policyBeforeSha256 = sha256(policyBefore);
  if (policyAfter !== undefined) meta.policyAfterSha256 = sha256(policyAfter);
  return meta;
}

/**
 * Authorizes the person who started the task and records every write and
 * refusal with the auditor. Decisions use the initiator's credentials, never
 * the scaffolder's own, so a template cannot be used to act on an account the
 * user may not remediate.
 *
 * @public
 */
export class RemediationAccess {
  /** Errors already recorded, so a failed write is not recorded twice. */
  private readonly audited = new WeakSet<object>();

  constructor(private readonly services: RemediationAccessServices) {}

  /**
   * Authorizes `permission` on the account for the initiator, or records the
   * refusal and throws a NotAllowedError. Conditional decisions are resolved
   * by the permission framework through the resource type's owning plugin.
   */
  async authorize(
    ctx: Ctx,
    action: string,
    permission: ResourcePermission,
    target: AuditTarget,
  ): Promise<{ credentials: BackstageCredentials; initiator: string }> {
    const credentials = await ctx.getInitiatorCredentials();
    const initiator = initiatorOf(credentials);
    const [decision] = await this.services.permissions.authorize(
      [{ permission, resourceRef: target.accountId }],
      { credentials },
    );
    if (decision.result !== 'ALLOW') {
      const error = withOneLineStack(
        new NotAllowedError(
          `${initiator} is not allowed ${permission.name} on account ${target.accountId}; nothing was changed. Ask an owner of the account or a TrailGuard administrator.`,
        ),
      );
      await this.refused(action, initiator, target, error);
      throw error;
    }
    return { credentials, initiator };
  }

  /** Records a refusal made after authorization (a check on the key, the trail or the input). */
  async refused(
    action: string,
    initiator: string,
    target: AuditTarget,
    error: Error,
  ): Promise<void> {
    const event = await this.services.auditor.createEvent({
      eventId: 'remediation-refused',
      severityLevel: 'medium',
      meta: auditMeta(action, initiator, target),
    });
    await event.fail({ error });
    this.audited.add(error);
  }

  /** Runs one AWS write, recording it as an audit event that succeeds or fails with it. */
  async write<T>(
    operation: string,
    initiator: string,
    target: AuditTarget,
    fn: () => Promise<T>,
  ): Promise<T> {
    const event = await this.services.auditor.createEvent({
      eventId: 'remediation-write',
      severityLevel: 'high',
      meta: auditMeta(operation, initiator, target),
    });
    try {
      const result = await fn();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      if (error instanceof Object) this.audited.add(error);
      throw error;
    }
  }

  /**
   * Runs the body of an action; an error it throws is a refusal or failure
   * that is audited and logged as one line.
   */
  async guard<T>(
    action: string,
    initiator: string,
    target: () => AuditTarget,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const e = error as Error;
      if (!this.audited.has(e)) {
        await this.refused(action, initiator, target(), e);
      }
      throw withOneLineStack(e);
    }
  }
}
