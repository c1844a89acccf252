import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { parseEntityRef } from '@backstage/catalog-model';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { NotificationSeverity } from '@backstage/plugin-notifications-common';
import {
  compareSeverity,
  FINDING_TITLES,
  SEVERITIES,
  type AccountReport,
  type Finding,
  type FindingCode,
  type Severity,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { AccountDirectory } from '../service/AccountDirectory';

/** The notification settings under `cloudtrailEncryption.notifications`. */
export interface RegressionNotifierSettings {
  enabled: boolean;
  /** Findings below this severity are not notified. */
  minimumSeverity: Severity;
}

/**
 * Reads the settings; without `enabled`, notifications are on when the
 * notifications backend is installed.
 */
export function readNotifierSettings(
  config: Config,
  notificationsInstalled: boolean,
): RegressionNotifierSettings {
  const section = config.getOptionalConfig(
    'cloudtrailEncryption.notifications',
  );
  const minimumSeverity =
    section?.getOptionalString('minimumSeverity') ?? 'high';
  if (!(SEVERITIES as readonly string[]).includes(minimumSeverity)) {
    throw new Error(
      `cloudtrailEncryption.notifications.minimumSeverity must be one of ${SEVERITIES.join(
        ', ',
      )}, got ${minimumSeverity}`,
    );
  }
  return {
    enabled: section?.getOptionalBoolean('enabled') ?? notificationsInstalled,
    minimumSeverity: minimumSeverity as Severity,
  };
}

const NOTIFICATION_SEVERITY: Record<Severity, NotificationSeverity> = {
  critical: 'critical',
  high: 'high',
  medium: 'normal',
  low: 'low',
  info: 'low',
};

/** One finding code of an account, over all its trails. */
interface Problem {
  code: FindingCode;
  severity: Severity;
  messages: string[];
  /** Effective readers outside the organization, for READER_OUTSIDE_ORGANIZATION. */
  outsideReaders: Set<string>;
}

function problemsOf(report: AccountReport): Map<FindingCode, Problem> {
  const problems = new Map<FindingCode, Problem>();
  const add = (finding: Finding) => {
    const known = problems.get(finding.code);
    if (!known) {
      problems.set(finding.code, {
        code: finding.code,
        severity: finding.severity,
        messages: [finding.message],
        outsideReaders: new Set(),
      });
      return;
    }
    if (compareSeverity(finding.severity, known.severity) < 0) {
      known.severity = finding.severity;
    }
    if (!known.messages.includes(finding.message)) {
      known.messages.push(finding.message);
    }
  };
  report.findings.forEach(add);
  const outside = problems.get('READER_OUTSIDE_ORGANIZATION');
  if (outside) {
    for (const trail of report.trails) {
      for (const reader of trail.readers?.readers ?? []) {
        if (reader.outsideOrganization)
          outside.outsideReaders.add(reader.principal);
      }
    }
  }
  return problems;
}

/** Why a problem is worth telling the owners about again. */
function isWorse(problem: Problem, before: Problem | undefined): boolean {
  if (!before) return true;
  if (compareSeverity(problem.severity, before.severity) < 0) return true;
  return [...problem.outsideReaders].some(r => !before.outsideReaders.has(r));
}

/** The entity page of an account, where its TrailGuard card is. */
function entityLink(entityRef: string): string {
  const ref = parseEntityRef(entityRef);
  return `/catalog/${ref.namespace}/${ref.kind}/${ref.name}`;
}

function accountLabel(report: AccountReport): string {
  return report.accountName
    ? `${report.accountName} (${report.accountId})`
    : report.accountId;
}

/**
 * Tells the owners of an account's catalog entity when the account's
 * CloudTrail encryption gets worse (a new finding at or above the minimum
 * severity: the account turning non-compliant, log delivery starting to
 * fail, a new reader outside the organization), and once more when that
 * finding goes away.
 *
 * Each account and finding code has one notification scope, so the
 * notifications backend keeps one notification per account and finding: a
 * regression that comes back, or its resolution, updates that notification
 * instead of adding another. Nothing is sent for an unchanged report, for a
 * failed scan (its findings are the last good ones), or for the first report
 * of an account (there is nothing it got worse than).
 */
export class RegressionNotifier {
  constructor(
    private readonly deps: {
      notifications: NotificationService;
      directory: Pick<AccountDirectory, 'accounts'>;
      logger: LoggerService;
      settings: RegressionNotifierSettings;
    },
  ) {}

  /** Compares a stored report with the one before it and notifies owners. */
  async reportChanged(
    before: AccountReport | undefined,
    after: AccountReport,
  ): Promise<void> {
    const { settings } = this.deps;
    if (!settings.enabled || !before) return;
    if (after.scanStatus === 'error' || after.scanStatus === 'pending') return;
    const notable = (p: Problem) =>
      compareSeverity(p.severity, settings.minimumSeverity) <= 0;
    const previous = problemsOf(before);
    const current = problemsOf(after);
    const regressed = [...current.values()].filter(
      p => notable(p) && isWorse(p, previous.get(p.code)),
    );
    const resolved = [...previous.values()].filter(
      p => notable(p) && !current.has(p.code),
    );
    if (!regressed.length && !resolved.length) return;

    const entity = (await this.deps.directory.accounts()).get(
      after.accountId,
    )?.entity;
    if (!entity || entity.ownerRefs.length === 0) {
      this.deps.logger.debug(
        `No owners to notify of the CloudTrail encryption changes of account ${after.accountId}`,
      );
      return;
    }
    const account = accountLabel(after);
    const base = {
      link: entityLink(entity.entityRef),
      topic: `CloudTrail encryption: ${account}`,
    };
    const recipients = { type: 'entity' as const, entityRef: entity.ownerRefs };
    for (const problem of regressed) {
      const title = FINDING_TITLES[problem.code]?.title ?? problem.code;
      await this.#send(after.accountId, problem.code, {
        recipients,
        payload: {
          ...base,
          title: `${title} on AWS account ${account}`,
          description: [
            after.status === 'non-compliant' && before.status === 'compliant'
              ? 'The account is no longer compliant.'
              : undefined,
            ...problem.messages,
            [...problem.outsideReaders].length
              ? `Readers outside the organization: ${[
                  ...problem.outsideReaders,
                ].join(', ')}`
              : undefined,
          ]
            .filter(Boolean)
            .join('\n'),
          severity: NOTIFICATION_SEVERITY[problem.severity],
        },
      });
    }
    for (const problem of resolved) {
      const title = FINDING_TITLES[problem.code]?.title ?? problem.code;
      await this.#send(after.accountId, problem.code, {
        recipients,
        payload: {
          ...base,
          title: `Resolved: ${title} on AWS account ${account}`,
          description:
            after.status === 'compliant'
              ? 'The account is compliant again.'
              : `The last scan no longer finds ${problem.code}.`,
          severity: 'low',
        },
      });
    }
  }

  async #send(
    accountId: string,
    code: FindingCode,
    options: Parameters<NotificationService['send']>[0],
  ): Promise<void> {
    try {
      await this.deps.notifications.send({
        ...options,
        payload: {
          ...options.payload,
          scope: `cloudtrail-encryption:${accountId}:${code}`,
        },
      });
    } catch (error) {
      // A notification outage must not fail the scan that stored the report.
      this.deps.logger.warn(
        `Could not notify the owners of account ${accountId} about ${code}: ${error}`,
      );
    }
  }
}
