import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { RemediationError } from './aws/errors';

const BACKEND_PLUGIN_ID = 'cloudtrail-encryption';

/**
 * The estate as the TrailGuard backend's EstateService last read it, for the accounts asked about.
 *
 * @public
 */
export interface EstateScope {
  mode: 'organization' | 'accounts';
  organizationId?: string;
  managementAccountId?: string;
  trustedAccountIds: string[];
  readAt?: string;
  accounts: Record<
    string,
    { member: boolean; state?: string; organizationId?: string }
  >;
}

/**
 * What the remediation actions read from the TrailGuard backend: the estate
 * (membership of accounts, the organization, the trusted accounts) and an
 * account's stored report, as seen by the initiating user.
 *
 * @public
 */
export interface EstateDirectory {
  scope(
    accountIds: string[],
    credentials: BackstageCredentials,
    signal?: AbortSignal,
  ): Promise<EstateScope>;
  /** The stored report, or undefined when there is none the user may see. */
  report(
    accountId: string,
    credentials: BackstageCredentials,
    signal?: AbortSignal,
  ): Promise<AccountReport | undefined>;
}

/**
 * The TrailGuard backend over HTTP, on behalf of the initiating user (the
 * way the rescan action reaches it), so the backend applies that user's
 * visibility.
 *
 * @public
 */
export class TrailGuardBackendClient implements EstateDirectory {
  constructor(
    private readonly deps: { auth: AuthService; discovery: DiscoveryService },
  ) {}

  async #get(
    path: string,
    credentials: BackstageCredentials,
    signal?: AbortSignal,
  ): Promise<Response> {
    const baseUrl = await this.deps.discovery.getBaseUrl(BACKEND_PLUGIN_ID);
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: BACKEND_PLUGIN_ID,
    });
    return fetch(`${baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${token}` },
      signal,
    });
  }

  async scope(
    accountIds: string[],
    credentials: BackstageCredentials,
    signal?: AbortSignal,
  ): Promise<EstateScope> {
    const query = [...new Set(accountIds)]
      .map(id => `accountId=${encodeURIComponent(id)}`)
      .join('&');
    const response = await this.#get(
      `/remediation/scope?${query}`,
      credentials,
      signal,
    );
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      throw new RemediationError(
        `Could not read the estate from TrailGuard (${response.status}: ${
          error.cause?.message || error.message
        }); nothing was changed`,
      );
    }
    return (await response.json()) as EstateScope;
  }

  async report(
    accountId: string,
    credentials: BackstageCredentials,
    signal?: AbortSignal,
  ): Promise<AccountReport | undefined> {
    const response = await this.#get(
      `/accounts/${encodeURIComponent(accountId)}`,
      credentials,
      signal,
    );
    if (response.status === 404) return undefined;
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      throw new RemediationError(
        `Could not read the TrailGuard report of ${accountId} (${
          response.status
        }: ${error.cause?.message || error.message}); nothing was changed`,
      );
    }
    // Through JSON text: values parsed by fetch may come from another realm.
    return JSON.parse(await response.text()) as AccountReport;
  }
}
