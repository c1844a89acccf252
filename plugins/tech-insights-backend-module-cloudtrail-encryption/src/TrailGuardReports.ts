import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';

const TRAILGUARD_PLUGIN_ID = 'cloudtrail-encryption';

/** Requests in flight at once: enough to be quick, few enough not to crowd the backend. */
const DEFAULT_CONCURRENCY = 4;

/** What reading one account's report came to. */
export type ReportResult =
  | { accountId: string; report: AccountReport }
  /** Never scanned, or not visible to this service. */
  | { accountId: string; report: undefined }
  | { accountId: string; error: Error };

/**
 * Reads stored reports from the TrailGuard backend over HTTP with this
 * plugin's own service credentials, so the backend applies its permissions
 * to the caller as it does for any other.
 */
export class TrailGuardReports {
  readonly #auth: AuthService;
  readonly #discovery: DiscoveryService;
  readonly #concurrency: number;

  constructor(options: {
    auth: AuthService;
    discovery: DiscoveryService;
    concurrency?: number;
  }) {
    this.#auth = options.auth;
    this.#discovery = options.discovery;
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  }

  /** One result per distinct account id, in the order given. */
  async read(accountIds: ReadonlyArray<string>): Promise<ReportResult[]> {
    const ids = [...new Set(accountIds)];
    const results: ReportResult[] = new Array(ids.length);
    if (ids.length === 0) return results;
    const baseUrl = await this.#discovery.getBaseUrl(TRAILGUARD_PLUGIN_ID);
    // Without the plugin, every account would look unreported (404) and lose
    // its facts; a run that cannot reach TrailGuard stores nothing instead.
    const health = await fetch(`${baseUrl}/health`).catch((e: Error) => e);
    if (health instanceof Error || !health.ok) {
      throw new Error(
        `The TrailGuard backend did not answer at ${baseUrl}/health (${
          health instanceof Error ? health.message : health.status
        }); no facts were stored`,
      );
    }
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf: await this.#auth.getOwnServiceCredentials(),
      targetPluginId: TRAILGUARD_PLUGIN_ID,
    });
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const at = next++;
        results[at] = await this.#readOne(baseUrl, token, ids[at]);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.#concurrency, ids.length) }, worker),
    );
    return results;
  }

  async #readOne(
    baseUrl: string,
    token: string,
    accountId: string,
  ): Promise<ReportResult> {
    try {
      const response = await fetch(
        `${baseUrl}/accounts/${encodeURIComponent(accountId)}`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      if (response.status === 404) return { accountId, report: undefined };
      if (!response.ok) throw await ResponseError.fromResponse(response);
      return { accountId, report: (await response.json()) as AccountReport };
    } catch (e) {
      return {
        accountId,
        error: e instanceof Error ? e : new Error(String(e)),
      };
    }
  }
}
