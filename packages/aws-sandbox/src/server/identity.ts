import { randomBytes } from 'node:crypto';
import type { SandboxState } from '../state/state';
import { stableHex } from '../state/state';
import type { RoleRecord } from '../state/records';

/** Who a request acts as, after resolving its access key. */
export interface Caller {
  accessKeyId: string;
  accountId: string;
  /** The ARN GetCallerIdentity reports. */
  arn: string;
  userId: string;
  /** The IAM principal a key policy would name: role, user or root ARN. */
  principalArn: string;
  roleName?: string;
  sessionName?: string;
  readOnly: boolean;
}

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  role: RoleRecord;
  sessionName: string;
  expiration: Date;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (let i = 0; i < length; i++) out += ALNUM[bytes[i] % ALNUM.length];
  return out;
}

export function roleId(account: string, role: string): string {
  return `AROA${stableHex(`${account}/${role}`, 17).toUpperCase()}`;
}

export function roleArn(account: string, role: string): string {
  return `arn:aws:iam::${account}:role/${role}`;
}

export type ResolveResult =
  | { caller: Caller; secretAccessKey: string }
  | { error: 'invalid' | 'expired' };

/** Temporary credentials issued by AssumeRole, keyed by access key id. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  create(
    accountId: string,
    role: RoleRecord,
    sessionName: string,
    durationSeconds: number,
    now = new Date(),
  ): Session {
    const session: Session = {
      accessKeyId: randomId('ASIA', 16),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString('base64')}`,
      accountId,
      role,
      sessionName,
      expiration: new Date(
        Math.floor(now.getTime() / 1000) * 1000 + durationSeconds * 1000,
      ),
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  clear(): void {
    this.sessions.clear();
  }

  get size(): number {
    return this.sessions.size;
  }

  resolve(
    state: SandboxState,
    accessKeyId: string,
    sessionToken: string | undefined,
    now = new Date(),
  ): ResolveResult {
    const cred = state.credentials.get(accessKeyId);
    if (cred) {
      const root = `arn:aws:iam::${cred.accountId}:root`;
      const userArn = cred.userName
        ? `arn:aws:iam::${cred.accountId}:user/${cred.userName}`
        : undefined;
      return {
        secretAccessKey: cred.secretAccessKey,
        caller: {
          accessKeyId,
          accountId: cred.accountId,
          arn: userArn ?? root,
          userId: cred.userName
            ? `AIDA${stableHex(userArn!, 17).toUpperCase()}`
            : cred.accountId,
          principalArn: userArn ?? root,
          readOnly: false,
        },
      };
    }
    const session = this.sessions.get(accessKeyId);
    if (!session || session.sessionToken !== sessionToken) {
      return { error: 'invalid' };
    }
    if (session.expiration.getTime() <= now.getTime())
      return { error: 'expired' };
    if (!state.accounts.has(session.accountId)) return { error: 'invalid' };
    const { accountId, role, sessionName } = session;
    return {
      secretAccessKey: session.secretAccessKey,
      caller: {
        accessKeyId,
        accountId,
        arn: `arn:aws:sts::${accountId}:assumed-role/${role.name}/${sessionName}`,
        userId: `${roleId(accountId, role.name)}:${sessionName}`,
        principalArn: roleArn(accountId, role.name),
        roleName: role.name,
        sessionName,
        readOnly: role.readOnly,
      },
    };
  }
}
