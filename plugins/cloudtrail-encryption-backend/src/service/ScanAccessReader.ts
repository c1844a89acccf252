import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  AWS_PARTITIONS,
  trustPrincipalOf,
  type AwsPartition,
  type ScanAccess,
  type ScanRoleSetting,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { mainCredentialsResolverFromConfig } from '@trailguard/plugin-cloudtrail-encryption-node';

/** How long a failed identity look-up is kept before the next attempt. */
const RETRY_AFTER_MS = 60_000;

const SETTLED: Promise<void> = Promise.resolve();

/** The backend's own identity, as STS answers for the main credentials. */
export type IdentityLookup = () => Promise<string>;

function partitionSetting(config: Config | undefined) {
  const value = config?.getOptionalString('partition');
  return AWS_PARTITIONS.find(p => p === value) as AwsPartition | undefined;
}

function roleSetting(config: Config | undefined): ScanRoleSetting {
  return {
    roleName: config?.getOptionalString('roleName'),
    partition: partitionSetting(config),
    // Presence only: the value is a shared secret of the trust policy.
    externalIdRequired: !!config?.has('externalId'),
  };
}

/**
 * What an account needs for the backend to scan it: the role name (from
 * `aws.accountDefaults` or the account's `aws.accounts[]` entry), whether an
 * external id is required (never its value), and the backend's own identity,
 * which the role's trust policy names. The identity is asked of STS once and
 * kept; a failure is retried a minute later.
 */
export class ScanAccessReader {
  readonly #defaultRole: ScanRoleSetting;
  readonly #accounts: Map<string, ScanRoleSetting>;
  readonly #lookup: IdentityLookup;
  readonly #logger: LoggerService;
  #identity: { arn?: string; error?: string; at: number } | undefined;
  #pending: Promise<void> | undefined;

  static fromConfig(
    config: Config,
    options: { endpoint?: string; logger: LoggerService },
  ): ScanAccessReader {
    const main = mainCredentialsResolverFromConfig(config);
    const region =
      config.getOptionalString('aws.mainAccount.region') ??
      config.getOptionalString('aws.accountDefaults.region') ??
      'us-east-1';
    const lookup: IdentityLookup = async () => {
      const client = new STSClient({
        region,
        endpoint: options.endpoint,
        credentials: await main(),
        maxAttempts: 2,
      });
      try {
        const { Arn } = await client.send(new GetCallerIdentityCommand({}), {
          abortSignal: AbortSignal.timeout(5_000),
        });
        if (!Arn) throw new Error('GetCallerIdentity returned no ARN');
        return Arn;
      } finally {
        client.destroy();
      }
    };
    return new ScanAccessReader(config, lookup, options.logger);
  }

  constructor(config: Config, lookup: IdentityLookup, logger: LoggerService) {
    this.#lookup = lookup;
    this.#logger = logger;
    this.#defaultRole = roleSetting(
      config.getOptionalConfig('aws.accountDefaults'),
    );
    this.#accounts = new Map(
      (config.getOptionalConfigArray('aws.accounts') ?? []).map(account => [
        account.getString('accountId'),
        roleSetting(account),
      ]),
    );
  }

  /** Starts the identity look-up when it is due; resolves when it settles. */
  refresh(): Promise<void> {
    if (!this.#due()) return SETTLED;
    this.#pending ??= this.#lookup()
      .then(
        arn => {
          this.#identity = { arn, at: Date.now() };
        },
        error => {
          const message =
            error instanceof Error ? error.message : String(error);
          this.#logger.warn(
            `Could not learn the backend's own AWS identity (sts:GetCallerIdentity): ${message}`,
          );
          this.#identity = { error: message, at: Date.now() };
        },
      )
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }

  #due(): boolean {
    return (
      !this.#identity ||
      (this.#identity.error !== undefined &&
        Date.now() - this.#identity.at > RETRY_AFTER_MS)
    );
  }

  /**
   * Whether a first look-up has settled, so that `ready` would not wait;
   * like `ready`, starts a look-up when one is due.
   */
  settled(): boolean {
    if (this.#due()) void this.refresh();
    return this.#identity !== undefined;
  }

  /** Waits at most `ms` for a first look-up to settle (later ones run in the background). */
  async ready(ms: number): Promise<void> {
    const settling = this.refresh();
    if (this.#identity) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      settling,
      new Promise<void>(resolve => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
  }

  /** What is known now, with the accounts' own settings limited to `visible` ones. */
  snapshot(visible: (accountId: string) => boolean): ScanAccess {
    const identity = this.#identity;
    const accounts = Object.fromEntries(
      [...this.#accounts].filter(([accountId]) => visible(accountId)),
    );
    return {
      scanningIdentityArn: identity?.arn,
      trustPrincipalArn: identity?.arn
        ? trustPrincipalOf(identity.arn)
        : undefined,
      identityError: identity?.error,
      defaultRole: this.#defaultRole.roleName ? this.#defaultRole : undefined,
      ...(Object.keys(accounts).length ? { accounts } : {}),
    };
  }
}
