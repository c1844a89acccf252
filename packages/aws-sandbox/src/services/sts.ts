import type { Handler, RequestContext } from '../server/context';
import { roleId } from '../server/identity';
import { AwsError, el, node } from '../server/protocol';

const ROLE_ARN_RE =
  /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_RE = /^[\w+=,.@-]{2,64}$/;

function validation(msg: string): AwsError {
  return new AwsError('ValidationError', msg, 400);
}

/** Parses an AssumeRole RoleArn into its account, or undefined when malformed. */
export function roleArnAccount(arn: unknown): string | undefined {
  return typeof arn === 'string' ? ROLE_ARN_RE.exec(arn)?.[1] : undefined;
}

function assumeRole(ctx: RequestContext): string {
  const p = ctx.params;
  const arn = String(p.RoleArn ?? '');
  const sessionName = String(p.RoleSessionName ?? '');
  const m = ROLE_ARN_RE.exec(arn);
  if (!m) {
    throw validation(
      `1 validation error detected: Value '${arn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
    );
  }
  if (!SESSION_RE.test(sessionName)) {
    throw validation(
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const duration =
    p.DurationSeconds === undefined ? 3600 : Number(p.DurationSeconds);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw validation(
      `1 validation error detected: Value '${p.DurationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
    );
  }
  const [, account, roleName] = m;
  const denied = new AwsError(
    'AccessDenied',
    `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
    403,
  );
  const target = ctx.state.accounts.get(account);
  const role = target?.roles.find(r => r.name === roleName);
  if (!target || !role || target.assumeRoleDenied) throw denied;
  if (role.externalId !== undefined && role.externalId !== p.ExternalId)
    throw denied;
  // AWS caps role-chained sessions at one hour whatever the role allows.
  const max = ctx.caller.roleName ? 3600 : role.maxSessionDuration;
  if (duration > max) {
    throw validation(
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }
  const s = ctx.sessions.create(account, role, sessionName, duration, ctx.now);
  return [
    node('AssumedRoleUser', [
      el('AssumedRoleId', `${roleId(account, roleName)}:${sessionName}`),
      el(
        'Arn',
        `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
      ),
    ]),
    node('Credentials', [
      el('AccessKeyId', s.accessKeyId),
      el('SecretAccessKey', s.secretAccessKey),
      el('SessionToken', s.sessionToken),
      el('Expiration', s.expiration),
    ]),
    el('SourceIdentity', p.SourceIdentity),
  ].join('');
}

function getCallerIdentity(ctx: RequestContext): string {
  return [
    el('Arn', ctx.caller.arn),
    el('UserId', ctx.caller.userId),
    el('Account', ctx.caller.accountId),
  ].join('');
}

export const stsHandlers: Record<string, Handler> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};
