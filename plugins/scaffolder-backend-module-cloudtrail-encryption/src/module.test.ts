import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
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
/** The JSON body of the last rescan request. */
let lastBody: unknown;

const ADMIN = 'user:default/admin';
const OUTSIDER = 'user:default/outsider';
/** An account the fake backend shows to ADMIN only. */
const HIDDEN_ACCOUNT = '100000000050';

type Finding = AccountReport['findings'][number];
const finding = (code: string, severity: string): Finding =>
  ({ code, severity, message: '', remediation: '' } as Finding);

function report(accountId: string): AccountReport {
  const byAccount: Record<
    string,
    Pick<AccountReport, 'status' | 'findings'>
  > = {
    // Decrypt open to anyone: the remediation changed nothing that matters.
    '100000000003': {
      status: 'non-compliant',
      findings: [
        finding('DECRYPT_OPEN_TO_ANY_PRINCIPAL', 'critical'),
        finding('KEY_ROTATION_DISABLED', 'low'),
      ],
    },
    '100000000004': {
      status: 'compliant',
      findings: [finding('KEY_ROTATION_DISABLED', 'low')],
    },
  };
  return {
    accountId,
    scannedAt: '2025-01-01T00:00:00Z',
    scanStatus: 'ok',
    trails: [
      {
        trailArn: `arn:aws:cloudtrail:us-east-1:${accountId}:trail/t`,
        encryption: 'SSE-KMS',
      } as AccountReport['trails'][number],
    ],
    ...(byAccount[accountId] ?? {
      status: 'non-compliant',
      findings: [
        finding('KEY_ROTATION_DISABLED', 'low'),
        finding('DECRYPT_CROSS_ACCOUNT', 'medium'),
        finding('KEY_ROTATION_DISABLED', 'low'),
      ],
    }),
  };
}

function notFound(res: any, req: any, accountId: string) {
  res.status(404).json({
    error: {
      name: 'NotFoundError',
      message: `No report for account ${accountId}`,
    },
    request: { method: req.method, url: req.url },
    response: { statusCode: 404 },
  });
}

/**
 * Stands in for the TrailGuard backend's rescan route: it applies visibility
 * to the user the request is made for, as the real route does.
 */
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
              allow: ['user'],
            });
            lastCaller = credentials.principal.userEntityRef;
            let raw = '';
            for await (const chunk of req) raw += chunk;
            lastBody = raw ? JSON.parse(raw) : undefined;
            if (
              match[1] === '100000000099' ||
              (match[1] === HIDDEN_ACCOUNT && lastCaller !== ADMIN)
            ) {
              notFound(res, req, match[1]);
              return undefined;
            }
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

/** What the permission framework was asked, and its answer: OUTSIDER may do nothing. */
const decisions: Array<{
  user: string;
  permission: string;
  resourceRef?: string;
}> = [];
const permissions = mockServices.permissions.mock({
  authorize: async (requests, options) => {
    const user = (options.credentials.principal as any).userEntityRef;
    return requests.map(r => {
      decisions.push({
        user,
        permission: r.permission.name,
        resourceRef: (r as any).resourceRef,
      });
      return {
        result:
          user === OUTSIDER ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
      };
    });
  },
});
const auditor = mockServices.auditor.mock();

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
        permissions.factory,
        auditor.factory,
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

  it('registers the actions of the contract, each with examples and dry-run support', () => {
    expect(actions.map(a => a.id).sort()).toEqual([
      'aws:cloudtrail:enable-sse-kms',
      'aws:kms:create-cloudtrail-key',
      'aws:kms:ensure-cloudtrail-key-policy',
      'aws:kms:narrow-cloudtrail-decrypt',
      'aws:kms:replicate-cloudtrail-key',
      'aws:kms:restore-cloudtrail-key',
      'cloudtrail-encryption:check-request',
      'cloudtrail-encryption:rescan',
    ]);
    for (const a of actions) {
      expect(a.supportsDryRun).toBe(true);
      expect(a.examples?.length).toBeGreaterThan(0);
      expect(a.schema?.input).toMatchObject({ type: 'object' });
      expect(a.schema?.output).toMatchObject({ type: 'object' });
    }
  });

  it('rescan calls the backend on behalf of the initiator and fails while findings remain', async () => {
    const ctx = actionContext({ accountId: '100000000002' });
    await expect(
      action('cloudtrail-encryption:rescan').handler(ctx as any),
    ).rejects.toThrow(
      'Account 100000000002 is still non-compliant after remediation: the account status is non-compliant; findings: DECRYPT_CROSS_ACCOUNT, KEY_ROTATION_DISABLED',
    );
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
      fixed: false,
      remainingFindings: [
        { code: 'DECRYPT_CROSS_ACCOUNT', severity: 'medium' },
        { code: 'KEY_ROTATION_DISABLED', severity: 'low' },
      ],
    });
    // The user who started the task, not the scaffolder's own identity.
    expect(lastCaller).toBe('user:default/mock');
    // Recorded in the scan history as the rescan that closes a remediation.
    expect(lastBody).toEqual({ trigger: 'remediation' });
    expect(decisions).toContainEqual({
      user: 'user:default/mock',
      permission: 'cloudtrail-encryption.scan.trigger',
      resourceRef: '100000000002',
    });
  });

  it('rescan names the blocking findings that remain (decrypt open to anyone)', async () => {
    const ctx = actionContext({ accountId: '100000000003' });
    await expect(
      action('cloudtrail-encryption:rescan').handler(ctx as any),
    ).rejects.toThrow(
      'Account 100000000003 is still non-compliant after remediation: DECRYPT_OPEN_TO_ANY_PRINCIPAL (critical) remain',
    );
    expect(outputsOf(ctx)).toMatchObject({
      fixed: false,
      remainingFindings: [
        { code: 'DECRYPT_OPEN_TO_ANY_PRINCIPAL', severity: 'critical' },
        { code: 'KEY_ROTATION_DISABLED', severity: 'low' },
      ],
    });
  });

  it('rescan reports fixed when only non-blocking findings remain on a compliant account', async () => {
    const ctx = actionContext({ accountId: '100000000004' });
    await action('cloudtrail-encryption:rescan').handler(ctx as any);
    expect(outputsOf(ctx)).toMatchObject({
      status: 'compliant',
      fixed: true,
      remainingFindings: [{ code: 'KEY_ROTATION_DISABLED', severity: 'low' }],
    });
  });

  it('rescan is refused without scan.trigger, before calling the backend, and the refusal is audited', async () => {
    lastCaller = undefined;
    auditor.createEvent.mockClear();
    const ctx = actionContext(
      { accountId: '100000000002' },
      { initiator: OUTSIDER },
    );
    const error = await action('cloudtrail-encryption:rescan')
      .handler(ctx as any)
      .catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toBe(
      `${OUTSIDER} is not allowed cloudtrail-encryption.scan.trigger on account 100000000002; nothing was changed. Ask an owner of the account or a TrailGuard administrator.`,
    );
    // One line in the task log, no stack trace.
    expect(error.stack).toBe(`NotAllowedError: ${error.message}`);
    expect(lastCaller).toBeUndefined();
    expect(auditor.createEvent).toHaveBeenCalledWith({
      eventId: 'remediation-refused',
      severityLevel: 'medium',
      meta: {
        action: 'cloudtrail-encryption:rescan',
        initiator: OUTSIDER,
        accountId: '100000000002',
      },
    });
  });

  it('rescan of an account the initiator cannot see is refused by the backend', async () => {
    await expect(
      action('cloudtrail-encryption:rescan').handler(
        actionContext({ accountId: HIDDEN_ACCOUNT }) as any,
      ),
    ).rejects.toThrow(
      `Rescan of account ${HIDDEN_ACCOUNT} failed: 404 NotFoundError: No report for account ${HIDDEN_ACCOUNT}`,
    );
    const ctx = actionContext(
      { accountId: HIDDEN_ACCOUNT },
      { initiator: ADMIN },
    );
    await expect(
      action('cloudtrail-encryption:rescan').handler(ctx as any),
    ).rejects.toThrow(/still non-compliant/);
    expect(lastCaller).toBe(ADMIN);
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
