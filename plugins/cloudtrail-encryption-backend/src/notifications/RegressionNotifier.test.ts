import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import type {
  AccountReport,
  Finding,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { readNotifierSettings, RegressionNotifier } from './RegressionNotifier';

const ACCOUNT = '123456789012';

function report(status: AccountReport['status'], findings: Finding[]) {
  return {
    accountId: ACCOUNT,
    accountName: 'prod',
    scannedAt: new Date().toISOString(),
    scanStatus: 'ok',
    status,
    trails: [],
    findings,
  } satisfies AccountReport;
}

const finding = (
  code: Finding['code'],
  severity: Finding['severity'],
): Finding => ({
  code,
  severity,
  message: `${code} on trail`,
  remediation: '',
});

function notifierWith(config: object, installed = true) {
  const sent: NotificationSendOptions[] = [];
  const notifier = new RegressionNotifier({
    notifications: { send: async options => void sent.push(options) },
    directory: {
      accounts: async () =>
        new Map([
          [
            ACCOUNT,
            {
              claims: [],
              entity: {
                accountId: ACCOUNT,
                entityRef: 'resource:default/aws-prod',
                title: 'aws-prod',
                ownerRefs: ['group:default/team'],
              },
            },
          ],
        ]),
    },
    logger: mockServices.logger.mock(),
    settings: readNotifierSettings(
      new ConfigReader({ cloudtrailEncryption: { notifications: config } }),
      installed,
    ),
  });
  return { notifier, sent };
}

describe('RegressionNotifier settings', () => {
  const compliant = report('compliant', []);
  const rotation = report('compliant', [
    finding('KEY_ROTATION_DISABLED', 'medium'),
  ]);
  const unencrypted = report('non-compliant', [
    finding('TRAIL_NOT_KMS_ENCRYPTED', 'high'),
  ]);

  it('notifies high findings by default, to the entity owners', async () => {
    const { notifier, sent } = notifierWith({});
    await notifier.reportChanged(compliant, rotation);
    expect(sent).toEqual([]);
    await notifier.reportChanged(rotation, unencrypted);
    // The medium finding that went away is below the threshold too.
    expect(sent).toHaveLength(1);
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/team'],
    });
    expect(sent[0].payload).toMatchObject({
      title:
        'Trail not encrypted with a KMS key on AWS account prod (123456789012)',
      severity: 'high',
      link: '/catalog/default/resource/aws-prod',
    });
  });

  it('follows minimumSeverity', async () => {
    const { notifier, sent } = notifierWith({ minimumSeverity: 'medium' });
    await notifier.reportChanged(compliant, rotation);
    expect(sent.map(s => s.payload.severity)).toEqual(['normal']);
    const critical = notifierWith({ minimumSeverity: 'critical' });
    await critical.notifier.reportChanged(compliant, unencrypted);
    expect(critical.sent).toEqual([]);
  });

  it('is off when disabled, or by default without the notifications backend', async () => {
    const off = notifierWith({ enabled: false });
    await off.notifier.reportChanged(compliant, unencrypted);
    expect(off.sent).toEqual([]);
    const absent = notifierWith({}, false);
    await absent.notifier.reportChanged(compliant, unencrypted);
    expect(absent.sent).toEqual([]);
    const forced = notifierWith({ enabled: true }, false);
    await forced.notifier.reportChanged(compliant, unencrypted);
    expect(forced.sent).toHaveLength(1);
  });

  it('refuses an unknown severity', () => {
    expect(() => notifierWith({ minimumSeverity: 'urgent' })).toThrow(
      'cloudtrailEncryption.notifications.minimumSeverity must be one of critical, high, medium, low, info, got urgent',
    );
  });
});
