import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { parseArn } from '@trailguard/plugin-cloudtrail-encryption-node';
import { RemediationError } from './aws/errors';
import type { EstateDirectory, EstateScope } from './estate';

/** @public */
export const DEFAULT_EDITABLE_KEY_TAG = 'trailguard:cloudtrail-logs';

/** @public */
export interface ScopeSettings {
  /** cloudtrailEncryption.remediation.allowOutsideReaders */
  allowOutsideReaders: boolean;
  /** cloudtrailEncryption.remediation.editableKeyTag */
  editableKeyTag: string;
}

/** @public */
export function readScopeSettings(config: Config): ScopeSettings {
  const section = config.getOptionalConfig('cloudtrailEncryption.remediation');
  return {
    allowOutsideReaders:
      section?.getOptionalBoolean('allowOutsideReaders') ?? false,
    editableKeyTag:
      section?.getOptionalString('editableKeyTag')?.trim() ||
      DEFAULT_EDITABLE_KEY_TAG,
  };
}

/**
 * What an action is about to touch, for the scope check.
 *
 * @public
 */
export interface ScopeRequest {
  /** The account whose trail (or key) is remediated; its owner must be in the estate. */
  ownerAccountId: string;
  /** The account of the key used or changed, when there is one. */
  keyArn?: string;
  /** Principal ARNs that will be allowed to decrypt. */
  readers?: string[];
}

const NOTHING = 'Nothing was changed.';

/**
 * The limits of what remediation may touch, decided with the estate the
 * TrailGuard backend read (never with the form's word): the trail's owner
 * account is in the estate; the key lives in that account or another account
 * of the same organization; readers are principals of the estate or its
 * trusted accounts (unless allowOutsideReaders); and only customer managed
 * symmetric keys that a trail of the account uses, or that carry the
 * editable-key tag, get their policy or state changed.
 *
 * @public
 */
export class RemediationScope {
  constructor(
    readonly estate: EstateDirectory | undefined,
    readonly settings: ScopeSettings,
  ) {}

  #directory(): EstateDirectory {
    if (!this.estate) {
      throw new RemediationError(
        `The TrailGuard estate is not available to the remediation actions, so their scope cannot be checked. ${NOTHING}`,
      );
    }
    return this.estate;
  }

  /** Checks the request against the estate; returns the estate for further checks. */
  async check(
    request: ScopeRequest,
    credentials: BackstageCredentials,
    signal?: AbortSignal,
  ): Promise<EstateScope> {
    const keyAccount = request.keyArn
      ? parseArn(request.keyArn)?.accountId
      : undefined;
    const readerAccounts = (request.readers ?? []).map(
      r => [r, /^\d{12}$/.test(r) ? r : parseArn(r)?.accountId] as const,
    );
    const ids = [
      request.ownerAccountId,
      ...(keyAccount ? [keyAccount] : []),
      ...readerAccounts.flatMap(([, a]) => (a ? [a] : [])),
    ];
    const scope = await this.#directory().scope(ids, credentials, signal);
    const owner = scope.accounts[request.ownerAccountId];
    if (!owner?.member) {
      throw new RemediationError(
        `Account ${request.ownerAccountId} is not in the TrailGuard estate${
          scope.organizationId ? ` (organization ${scope.organizationId})` : ''
        }; remediation only changes accounts of the estate. ${NOTHING}`,
      );
    }
    if (request.keyArn && keyAccount !== request.ownerAccountId) {
      const key = keyAccount ? scope.accounts[keyAccount] : undefined;
      const sameOrganization =
        !!key?.member &&
        (scope.mode === 'accounts' ||
          (!!owner.organizationId &&
            key.organizationId === owner.organizationId));
      if (!sameOrganization) {
        throw new RemediationError(
          `The key ${
            request.keyArn
          } is in account ${keyAccount}, which is neither the trail owner's account ${
            request.ownerAccountId
          } nor an account of ${
            owner.organizationId
              ? `its organization ${owner.organizationId}`
              : 'the estate'
          }; a trail is never pointed at, and no key policy is written for, a key outside the organization. ${NOTHING}`,
        );
      }
    }
    if (!this.settings.allowOutsideReaders) {
      const trusted = new Set(scope.trustedAccountIds);
      const outside = readerAccounts
        .filter(
          ([, account]) =>
            !account ||
            !(scope.accounts[account]?.member || trusted.has(account)),
        )
        .map(([reader]) => reader);
      if (outside.length > 0) {
        throw new RemediationError(
          `readers ${outside.join(
            ', ',
          )} are not principals of the estate or of its trusted accounts; decrypt is only granted inside the estate unless cloudtrailEncryption.remediation.allowOutsideReaders is true. ${NOTHING}`,
        );
      }
    }
    return scope;
  }

  /**
   * Whether the key's policy or state may be changed: a customer managed
   * symmetric encryption key that a trail of the account uses (by the stored
   * report, or the trail read from CloudTrail now), or that carries the
   * editable-key tag. Never an AWS managed key.
   */
  async assertEditableKey(
    metadata: KeyMetadata,
    options: {
      credentials: BackstageCredentials;
      /** Accounts whose trails count as users of the key. */
      accountIds: string[];
      /** Keys the trails named in the request use now, read from CloudTrail. */
      keysInUse?: string[];
      /** Reads the key's tags (undefined when they cannot be read). */
      tags: () => Promise<Record<string, string> | undefined>;
      signal?: AbortSignal;
    },
  ): Promise<void> {
    const keyArn = metadata.Arn!;
    if (metadata.KeyManager !== 'CUSTOMER') {
      throw new RemediationError(
        `${keyArn} is an AWS managed key (KeyManager ${
          metadata.KeyManager ?? 'unknown'
        }); its policy and state are AWS's and are never changed here. Use a customer managed key (keyMode "create"). ${NOTHING}`,
      );
    }
    if (
      metadata.KeySpec !== 'SYMMETRIC_DEFAULT' ||
      metadata.KeyUsage !== 'ENCRYPT_DECRYPT'
    ) {
      throw new RemediationError(
        `${keyArn} is ${metadata.KeySpec}/${metadata.KeyUsage}, not a symmetric encryption key; only keys CloudTrail can use are changed here. ${NOTHING}`,
      );
    }
    const same = (arn?: string) =>
      !!arn && (arn === keyArn || arn.endsWith(`:key/${metadata.KeyId}`));
    if (options.keysInUse?.some(same)) return;
    const directory = this.#directory();
    for (const accountId of new Set(options.accountIds)) {
      const report: AccountReport | undefined = await directory.report(
        accountId,
        options.credentials,
        options.signal,
      );
      if (report?.trails.some(t => same(t.kmsKey?.arn))) return;
    }
    const tags = await options.tags();
    const tag = this.settings.editableKeyTag;
    if (tags && Object.prototype.hasOwnProperty.call(tags, tag)) return;
    throw new RemediationError(
      `${keyArn} is not used by a trail of account ${options.accountIds.join(
        ' or ',
      )} and does not carry the tag ${tag}; only keys that CloudTrail uses here (or tagged ${tag}) have their policy or state changed. ${NOTHING}`,
    );
  }
}
