import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  scaffolderActionsExtensionPoint,
  type TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { actionContext, outputsOf } from './__testUtils__/sandbox';
import scaffolderModule from '.';

jest.setTimeout(30_000);

/** Who called the fake backend's rescan route last. */
let lastCaller: string | undefined;

function report(accountId: string): AccountReport {
  return {
    accountId,
    scannedAt: '2025-01-01T00:00:00Z',
    scanStatus: 'ok',
    status: 'non-compliant',
    trails: [
      {
        trailArn: `arn:aws:cloudtrail:us-east-1:${accountId}:trail/t`,
        encryption: 'SSE-KMS',
      } as AccountReport['trails'][number],
    ],
    findings: [
      {
        code: 'KEY_ROTATION_DISABLED',
        severity: 'low',
        message: '',
        remediation: '',
      },
      {
        code: 'DECRYPT_CROSS_ACCOUNT',
        severity: 'medium',
        message: '',
        remediation: '',
      },
      {
        code: 'KEY_ROTATION_DISABLED',
        severity: 'low',
        message: '',
        remediation: '',
      },
    ],
  };
}

/** Stands in for the TrailGuard backend: the rescan route, service callers only. */
const fakeCloudTrailEncryptionBackend = createBackendPlugin({
  pluginId: 'cloudtrail-encryption',
  register(reg) {
    reg.registerInit({
      deps: { http: coreServices.httpRouter, httpAuth: coreServices.httpAuth },
      async init({ http, httpAuth }) {
        http.use(async (req, res, next) => {
          const match = /^\/accounts\/(\d+)\/rescan$/.exec(req.path);
          if (req.method !== 'POST' || !match) return next();
          try {
            const credentials = await httpAuth.credentials(req, {
              allow: ['service'],
            });
            if (match[1] === '100000000099') {
              res.status(404).json({
                error: {
                  name: 'NotFoundError',
                  message: 'No report for account 100000000099',
                },
                request: { method: req.method, url: req.url },
                response: { statusCode: 404 },
              });
              return undefined;
            }
            lastCaller = credentials.principal.subject;
            res.json(report(match[1]));
            return undefined;
          } catch (error) {
            return next(error);
          }
        });
      },
    });
  },
});

describe('scaffolder module', () => {
  const actions: TemplateAction<any, any, any>[] = [];
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    backend = await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          { addActions: (...a) => actions.push(...a) },
        ],
      ],
      features: [
        scaffolderModule,
        fakeCloudTrailEncryptionBackend,
        mockServices.rootConfig.factory({
          data: {
            cloudtrailEncryption: {
              remediation: { roleName: 'TrailGuardRemediation' },
            },
          },
        }),
      ],
    });
  });
  afterAll(() => backend?.stop());

  const action = (id: string) => actions.find(a => a.id === id)!;

  it('registers the four actions, each with examples and dry-run support', () => {
    expect(actions.map(a => a.id).sort()).toEqual([
      'aws:cloudtrail:enable-sse-kms',
      'aws:kms:create-cloudtrail-key',
      'aws:kms:ensure-cloudtrail-key-policy',
      'cloudtrail-encryption:rescan',
    ]);
    for (const a of actions) {
      expect(a.supportsDryRun).toBe(true);
      expect(a.examples?.length).toBeGreaterThan(0);
      expect(a.schema?.input).toMatchObject({ type: 'object' });
      expect(a.schema?.output).toMatchObject({ type: 'object' });
    }
  });

  it('rescan calls the backend as the scaffolder plugin and outputs the new status', async () => {
    const ctx = actionContext({ accountId: '100000000002' });
    await action('cloudtrail-encryption:rescan').handler(ctx as any);
    expect(outputsOf(ctx)).toEqual({
      status: 'non-compliant',
      scanStatus: 'ok',
      findings: ['DECRYPT_CROSS_ACCOUNT', 'KEY_ROTATION_DISABLED'],
      trails: [
        {
          trailArn: 'arn:aws:cloudtrail:us-east-1:100000000002:trail/t',
          encryption: 'SSE-KMS',
        },
      ],
    });
    // Authenticated with the scaffolder's own service credentials.
    expect(lastCaller).toBe('plugin:scaffolder');
  });

  it("rescan fails with the backend's message on an HTTP error", async () => {
    await expect(
      action('cloudtrail-encryption:rescan').handler(
        actionContext({ accountId: '100000000099' }) as any,
      ),
    ).rejects.toThrow(
      'Rescan of account 100000000099 failed: 404 NotFoundError: No report for account 100000000099',
    );
  });

  it('rescan in a dry run does nothing', async () => {
    const ctx = actionContext({ accountId: '100000000002' }, { dryRun: true });
    await action('cloudtrail-encryption:rescan').handler(ctx as any);
    expect(outputsOf(ctx)).toEqual({
      status: 'dry-run',
      findings: [],
      trails: [],
    });
  });

  it('rescan validates the account id', async () => {
    await expect(
      action('cloudtrail-encryption:rescan').handler(
        actionContext({ accountId: '../admin' }) as any,
      ),
    ).rejects.toThrow(/accountId must be a 12-digit AWS account id/);
  });
});
