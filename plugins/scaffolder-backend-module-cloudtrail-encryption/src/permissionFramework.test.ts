import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  scaffolderActionsExtensionPoint,
  type TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import type { Sandbox } from '@trailguard/aws-sandbox';
import {
  CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
  cloudTrailEncryptionPermissions,
  cloudTrailEncryptionRemediatePermission,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { z } from 'zod';
import {
  actionContext,
  DEMO,
  outputsOf,
  sandboxConfigData,
  sandboxEstate,
  startDemoSandbox,
  stopSandbox,
} from './__testUtils__/sandbox';
import scaffolderModule from '.';

jest.setTimeout(60_000);

const OWNER = 'user:default/checkout-owner';
const OUTSIDER = 'user:default/outsider';

/**
 * The account resource type as its owning plugin registers it, with an
 * account-id rule, so conditional decisions are applied by that plugin.
 */
const accountRef = createPermissionResourceRef<
  { accountId: string },
  never
>().with({
  pluginId: 'cloudtrail-encryption',
  resourceType: CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
});
const hasAccountId = createPermissionRule<
  typeof accountRef,
  { accountIds: string[] }
>({
  name: 'HAS_ACCOUNT_ID',
  description: 'Accounts with one of the given ids',
  resourceRef: accountRef,
  // Typed by the generic above; zod's own inference is too deep here.
  paramsSchema: z.object({ accountIds: z.array(z.string()) }) as any,
  apply: (resource: { accountId: string }, params: { accountIds: string[] }) =>
    params.accountIds.includes(resource.accountId),
  toQuery: () => undefined as never,
});
let currentSandbox: Sandbox | undefined;

const accountsPlugin = createBackendPlugin({
  pluginId: 'cloudtrail-encryption',
  register(reg) {
    reg.registerInit({
      deps: {
        registry: coreServices.permissionsRegistry,
        http: coreServices.httpRouter,
      },
      async init({ registry, http }) {
        registry.addResourceType({
          resourceRef: accountRef,
          permissions: cloudTrailEncryptionPermissions,
          rules: [hasAccountId],
          getResources: async refs => refs.map(accountId => ({ accountId })),
        });
        // The estate and reports the remediation actions check their scope with.
        http.use(async (req, res, next) => {
          const estate = sandboxEstate(currentSandbox!);
          const credentials = mockCredentials.user(OWNER);
          if (req.path === '/remediation/scope') {
            const ids = ([] as string[]).concat(req.query.accountId as any);
            res.json(await estate.scope(ids, credentials));
            return;
          }
          const report = /^\/accounts\/(\d{12})$/.exec(req.path);
          if (report) {
            res.json(await estate.report(report[1], credentials));
            return;
          }
          next();
        });
      },
    });
  },
});

/** The owner gets a conditional decision for their account; others are denied. */
const ownerPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'test-owner-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(request, user): Promise<PolicyDecision> {
            if (
              request.permission.name ===
                cloudTrailEncryptionRemediatePermission.name &&
              user?.info.userEntityRef === OWNER
            ) {
              return {
                result: AuthorizeResult.CONDITIONAL,
                pluginId: 'cloudtrail-encryption',
                resourceType: CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
                conditions: {
                  rule: 'HAS_ACCOUNT_ID',
                  resourceType: CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
                  params: { accountIds: [DEMO.checkout.accountId] },
                },
              };
            }
            return { result: AuthorizeResult.DENY };
          },
        });
      },
    });
  },
});

/**
 * The mock auth service drops the acting plugin from a token issued on a
 * user's behalf; the real one keeps it, and the permission framework only
 * applies another plugin's conditions for such a user when it is there.
 */
const authWithActor = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const base = mockServices.auth({ pluginId: plugin.getId() });
    return Object.assign(Object.create(base), {
      async getPluginRequestToken(options: any) {
        const principal = options.onBehalfOf.principal;
        if (principal.type !== 'user') {
          return base.getPluginRequestToken(options);
        }
        return {
          token: mockCredentials.user.token(principal.userEntityRef, {
            actor: { subject: `plugin:${plugin.getId()}` },
          }),
        };
      },
    });
  },
});

describe('authorization through the permission framework', () => {
  let sandbox: Sandbox;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const actions: TemplateAction<any, any, any>[] = [];

  beforeAll(async () => {
    sandbox = await startDemoSandbox();
    currentSandbox = sandbox;
    backend = await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          { addActions: (...a) => actions.push(...a) },
        ],
      ],
      features: [
        scaffolderModule,
        permissionBackend,
        ownerPolicy,
        accountsPlugin,
        authWithActor,
        mockServices.rootConfig.factory({
          data: {
            ...sandboxConfigData(sandbox),
            permission: { enabled: true },
          },
        }),
      ],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await stopSandbox(sandbox);
  });
  beforeEach(() => {
    sandbox.loadScenario('demo');
    sandbox.resetCounters();
  });

  const ensure = () =>
    actions.find(a => a.id === 'aws:kms:ensure-cloudtrail-key-policy')!;

  it("allows the owner on their account through the owning plugin's conditions", async () => {
    const { accountId, keyArn, trailArn } = DEMO.checkout;
    const ctx = actionContext(
      { accountId, keyArn, trailArn },
      { dryRun: true, initiator: OWNER },
    );
    await ensure().handler(ctx as any);
    expect(outputsOf(ctx).changed).toBe(true);
    expect(sandbox.counters().total).toBeGreaterThan(0);
  });

  it.each([
    ['the owner, on another account', OWNER, DEMO.legacyBilling],
    ['another user', OUTSIDER, DEMO.checkout],
  ])('refuses %s, before any AWS call', async (_, initiator, account) => {
    const { accountId, keyArn, trailArn } = account;
    await expect(
      ensure().handler(
        actionContext({ accountId, keyArn, trailArn }, { initiator }) as any,
      ),
    ).rejects.toThrow(
      `${initiator} is not allowed cloudtrail-encryption.remediate on account ${accountId}`,
    );
    expect(sandbox.counters().total).toBe(0);
  });
});
