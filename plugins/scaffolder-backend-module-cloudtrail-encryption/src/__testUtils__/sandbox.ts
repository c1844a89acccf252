import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { RemediationAccess } from '../actions/access';
import type { EstateDirectory, EstateScope } from '../estate';
import { RemediationScope } from '../scope';

/** Every mutating API the sandbox serves; none may be called by a dry run or a refusal. */
export const WRITE_APIS = [
  'cloudtrail:UpdateTrail',
  'cloudtrail:StartLogging',
  'cloudtrail:StopLogging',
  'kms:CreateKey',
  'kms:PutKeyPolicy',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:CreateAlias',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:ReplicateKey',
  'kms:TagResource',
  's3:PutBucketPolicy',
];

export async function startDemoSandbox(): Promise<Sandbox> {
  const sandbox = await startSandbox({ scenario: 'demo' });
  // integration-aws-node builds its own STS clients; the SDK honours this.
  process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
  return sandbox;
}

export async function stopSandbox(sandbox: Sandbox | undefined) {
  await sandbox?.close();
  delete process.env.AWS_ENDPOINT_URL_STS;
}

/**
 * Starts the demo sandbox for a describe block and puts it back to the demo
 * state, with fresh counters, before each test.
 */
export function useDemoSandbox(onStart: (sandbox: Sandbox) => void): void {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startDemoSandbox();
    onStart(sandbox);
  });
  afterAll(() => stopSandbox(sandbox));
  beforeEach(() => {
    sandbox!.loadScenario('demo');
    sandbox!.resetCounters();
  });
}

/** App config as a deployment against the sandbox would have it. */
export function sandboxConfig(
  sandbox: Sandbox,
  remediation: Record<string, string> | null = {
    roleName: 'TrailGuardRemediation',
  },
) {
  return new ConfigReader(sandboxConfigData(sandbox, remediation));
}

/** The data of sandboxConfig, for a test backend's root config. */
export function sandboxConfigData(
  sandbox: Sandbox,
  remediation: Record<string, string> | null = {
    roleName: 'TrailGuardRemediation',
  },
) {
  return {
    aws: {
      mainAccount: {
        accessKeyId: sandbox.credentials.accessKeyId,
        secretAccessKey: sandbox.credentials.secretAccessKey,
        region: 'us-east-1',
      },
      accountDefaults: { roleName: 'TrailGuardReadOnly' },
    },
    cloudtrailEncryption: {
      aws: { endpoint: sandbox.endpoint, maxAttempts: 1, requestTimeout: 5000 },
      ...(remediation ? { remediation } : {}),
    },
  };
}

export function writeCalls(sandbox: Sandbox): Record<string, number> {
  const byApi = sandbox.counters().byApi;
  return Object.fromEntries(
    WRITE_APIS.filter(api => byApi[api]).map(api => [api, byApi[api]]),
  );
}

export function calls(sandbox: Sandbox, api: string): number {
  return sandbox.counters().byApi[api] ?? 0;
}

/** A mock action context; `isDryRun` is not among createMockActionContext's options. */
export function actionContext(
  input: Record<string, unknown>,
  options: { dryRun?: boolean; initiator?: string } = {},
): ActionContext<any, any> {
  // The test utils bring their own copy of plugin-scaffolder-node's types.
  const ctx: unknown = {
    // A fixed workspace: the actions never touch it, and a mock directory per
    // context would register an exit hook each time.
    ...createMockActionContext({
      input: input as any,
      workspacePath: join(tmpdir(), 'trailguard-remediation-tests'),
    }),
    isDryRun: options.dryRun ?? false,
    ...(options.initiator
      ? {
          getInitiatorCredentials: async () =>
            mockCredentials.user(options.initiator),
        }
      : {}),
  };
  return ctx as ActionContext<any, any>;
}

/** What the handler passed to ctx.output, by name. */
export function outputsOf(ctx: { output: unknown }): Record<string, any> {
  const mock = ctx.output as jest.Mock;
  return Object.fromEntries(mock.mock.calls.map(([k, v]) => [k, v]));
}

export const DEMO = {
  marketing: {
    accountId: '100000000002',
    trailArn: 'arn:aws:cloudtrail:us-east-1:100000000002:trail/marketing-trail',
  },
  dataLake: {
    accountId: '100000000003',
    trailArn: 'arn:aws:cloudtrail:us-east-1:100000000003:trail/data-lake-trail',
    keyArn:
      'arn:aws:kms:eu-west-1:100000000003:key/mrk-e24b0a68dbd8470cbbc1ca05ae45feda',
  },
  legacyBilling: {
    accountId: '100000000004',
    trailArn: 'arn:aws:cloudtrail:us-east-1:100000000004:trail/billing-trail',
    keyArn:
      'arn:aws:kms:us-east-1:100000000004:key/024fe294-3c75-42c0-82e3-8fbacc4e3524',
  },
  retired: {
    accountId: '100000000005',
    trailArn: 'arn:aws:cloudtrail:us-east-1:100000000005:trail/analytics-trail',
    keyArn:
      'arn:aws:kms:us-east-1:100000000005:key/64a32447-a9cf-44c7-9e39-f3c3c8f34b8d',
  },
  checkout: {
    accountId: '100000000006',
    trailArn: 'arn:aws:cloudtrail:us-east-1:100000000006:trail/checkout-trail',
    keyArn:
      'arn:aws:kms:us-east-1:100000000006:key/099aa6ce-f66d-422e-a7e7-91d793764558',
  },
  searchDev: {
    accountId: '100000000007',
    trailArn: 'arn:aws:cloudtrail:us-east-1:100000000007:trail/search-trail',
    keyArn:
      'arn:aws:kms:us-east-1:100000000007:key/74430b2e-821c-4684-9f55-b0416fb54835',
  },
  /** Its key policy lets anyone decrypt, on top of what CloudTrail needs. */
  publicWeb: {
    accountId: '100000000008',
    trailArn: 'arn:aws:cloudtrail:us-east-1:100000000008:trail/web-trail',
    keyArn:
      'arn:aws:kms:us-east-1:100000000008:key/5e2b0d5f-90f1-4ec3-b64c-cdf64517b899',
  },
  acquired: {
    accountId: '100000000012',
    trailArn: 'arn:aws:cloudtrail:us-east-1:100000000012:trail/acquired-trail',
  },
};

/**
 * Permission and auditor services for tests that are not about
 * authorization: every request is allowed, audit events go to a mock.
 */
export function allowingServices() {
  return {
    permissions: mockServices.permissions(),
    auditor: mockServices.auditor.mock(),
  };
}

export function allowingAccess() {
  return new RemediationAccess(allowingServices());
}

/**
 * The estate of the sandbox's scenario (its organization's accounts, plus
 * the trusted accounts given) and reports made of the sandbox's trails, for
 * unit tests of single actions. The scaffolder tests boot the real
 * TrailGuard backend instead.
 */
export function sandboxEstate(
  sandbox: Sandbox,
  options: { trusted?: string[]; hidden?: string[] } = {},
): EstateDirectory {
  return {
    async scope(accountIds): Promise<EstateScope> {
      const org = sandbox.scenario.organization;
      const members = new Map(
        sandbox.scenario.accounts
          .filter(a => a.inOrganization !== false && a.state !== 'CLOSED')
          .map(a => [a.id, a]),
      );
      return {
        mode: 'organization',
        organizationId: org?.id,
        managementAccountId: org?.managementAccount,
        trustedAccountIds: options.trusted ?? [],
        accounts: Object.fromEntries(
          accountIds.map(id => [
            id,
            members.has(id)
              ? { member: true, state: 'ACTIVE', organizationId: org?.id }
              : { member: false },
          ]),
        ),
      };
    },
    async report(accountId): Promise<AccountReport | undefined> {
      if (options.hidden?.includes(accountId)) return undefined;
      const trails = [...sandbox.state.trails.values()].filter(
        t => t.account === accountId,
      );
      return {
        accountId,
        scannedAt: new Date().toISOString(),
        scanStatus: 'ok',
        status: 'non-compliant',
        findings: [],
        trails: trails.map(t => ({
          trailArn: t.arn,
          ...(t.kmsKeyArn ? { kmsKey: { arn: t.kmsKeyArn } } : {}),
        })),
      } as unknown as AccountReport;
    },
  };
}

/** The scope checks against the sandbox's estate, with the default settings. */
export function sandboxScope(
  sandbox: Sandbox,
  options: {
    trusted?: string[];
    allowOutsideReaders?: boolean;
    editableKeyTag?: string;
  } = {},
) {
  return new RemediationScope(sandboxEstate(sandbox, options), {
    allowOutsideReaders: options.allowOutsideReaders ?? false,
    editableKeyTag: options.editableKeyTag ?? 'trailguard:cloudtrail-logs',
  });
}
