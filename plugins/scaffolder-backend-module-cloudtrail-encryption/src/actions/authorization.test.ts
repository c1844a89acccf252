import { mockServices } from '@backstage/backend-test-utils';
import type { PermissionsService } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Sandbox } from '@trailguard/aws-sandbox';
import {
  actionContext,
  DEMO,
  outputsOf,
  sandboxConfig,
  useDemoSandbox,
  writeCalls,
  sandboxScope,
} from '../__testUtils__/sandbox';
import { RemediationAccess, sha256 } from './access';
import { createCreateCloudTrailKeyAction } from './createCloudTrailKey';
import { createEnableSseKmsAction } from './enableSseKms';
import { createEnsureCloudTrailKeyPolicyAction } from './ensureCloudTrailKeyPolicy';

jest.setTimeout(30_000);

const OWNER = 'user:default/checkout-owner';
const OUTSIDER = 'user:default/outsider';

/**
 * The decision the backend's policy makes for remediate: the owner of an
 * account may remediate it, nobody else. Every request is recorded.
 */
function ownerPolicy(owned: Record<string, string>) {
  const asked: Array<{
    user: string;
    permission: string;
    resourceRef: string;
  }> = [];
  const permissions: PermissionsService = mockServices.permissions.mock({
    authorize: async (requests, options) => {
      const user = (options.credentials.principal as any).userEntityRef;
      return requests.map(r => {
        const resourceRef = (r as any).resourceRef as string;
        asked.push({ user, permission: r.permission.name, resourceRef });
        return {
          result:
            owned[resourceRef] === user
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        };
      });
    },
  });
  return { permissions, asked };
}

describe('authorization and audit of the remediation actions', () => {
  let sandbox: Sandbox;
  useDemoSandbox(started => {
    sandbox = started;
  });

  function setup() {
    const { permissions, asked } = ownerPolicy({
      [DEMO.checkout.accountId]: OWNER,
      [DEMO.marketing.accountId]: OWNER,
    });
    const auditor = mockServices.auditor.mock();
    const access = new RemediationAccess({ permissions, auditor });
    const options = {
      config: sandboxConfig(sandbox),
      access,
      scope: sandboxScope(sandbox),
    };
    return {
      asked,
      auditor,
      create: createCreateCloudTrailKeyAction(options),
      ensure: createEnsureCloudTrailKeyPolicyAction(options),
      enable: createEnableSseKmsAction(options),
    };
  }

  const { accountId, trailArn, keyArn } = DEMO.checkout;
  const inputs = {
    'aws:kms:create-cloudtrail-key': {
      accountId: DEMO.marketing.accountId,
      bucketRegion: 'us-east-1',
      trailArn: DEMO.marketing.trailArn,
    },
    'aws:kms:ensure-cloudtrail-key-policy': { accountId, keyArn, trailArn },
    'aws:cloudtrail:enable-sse-kms': { accountId, trailArn, keyArn },
  };

  it.each([false, true])(
    'refuses an initiator without remediate before any AWS call, and audits it (dry run: %s)',
    async dryRun => {
      const { create, ensure, enable, auditor, asked } = setup();
      for (const action of [create, ensure, enable]) {
        const input = inputs[action.id as keyof typeof inputs];
        const error = await action
          .handler(actionContext(input, { dryRun, initiator: OUTSIDER }))
          .catch(e => e);
        expect(error.name).toBe('NotAllowedError');
        expect(error.message).toBe(
          `${OUTSIDER} is not allowed cloudtrail-encryption.remediate on account ${input.accountId}; nothing was changed. Ask an owner of the account or a TrailGuard administrator.`,
        );
        expect(error.stack).toBe(`NotAllowedError: ${error.message}`);
        expect(auditor.createEvent).toHaveBeenLastCalledWith(
          expect.objectContaining({
            eventId: 'remediation-refused',
            meta: expect.objectContaining({
              action: action.id,
              initiator: OUTSIDER,
              accountId: input.accountId,
            }),
          }),
        );
      }
      // Not a single AWS call, read or write.
      expect(sandbox.counters().total).toBe(0);
      expect(writeCalls(sandbox)).toEqual({});
      expect(asked.map(a => a.permission)).toEqual(
        Array(3).fill('cloudtrail-encryption.remediate'),
      );
    },
  );

  it("the owner may remediate their account; another account's key stays out of reach", async () => {
    const { ensure, asked } = setup();
    const ctx = actionContext(
      { accountId, keyArn, trailArn },
      { initiator: OWNER },
    );
    await ensure.handler(ctx);
    expect(outputsOf(ctx).changed).toBe(true);
    expect(asked).toEqual([
      {
        user: OWNER,
        permission: 'cloudtrail-encryption.remediate',
        resourceRef: accountId,
      },
    ]);

    const { legacyBilling } = DEMO;
    await expect(
      ensure.handler(
        actionContext(
          {
            accountId: legacyBilling.accountId,
            keyArn: legacyBilling.keyArn,
            trailArn: legacyBilling.trailArn,
          },
          { initiator: OWNER },
        ),
      ),
    ).rejects.toThrow(/is not allowed cloudtrail-encryption.remediate/);
    expect(writeCalls(sandbox)).toEqual({ 'kms:PutKeyPolicy': 1 });
  });

  it('audits the key-policy write with hashes of the policy before and after, and logs only the change', async () => {
    const { ensure, auditor } = setup();
    const before = sandbox.state.keys.get(keyArn)!.policy;
    const ctx = actionContext(
      { accountId, keyArn, trailArn },
      { initiator: OWNER },
    );
    const logged: string[] = [];
    for (const level of ['info', 'warn', 'error'] as const) {
      jest.spyOn(ctx.logger, level).mockImplementation(((m: unknown) => {
        logged.push(String(m));
        return ctx.logger;
      }) as any);
    }
    await ensure.handler(ctx);
    const after = sandbox.state.keys.get(keyArn)!.policy;
    expect(after).not.toBe(before);

    expect(auditor.createEvent).toHaveBeenCalledTimes(1);
    expect(auditor.createEvent).toHaveBeenCalledWith({
      eventId: 'remediation-write',
      severityLevel: 'high',
      meta: {
        action: 'kms:PutKeyPolicy',
        initiator: OWNER,
        accountId,
        keyArn,
        trailArn,
        policyBeforeSha256: sha256(before),
        policyAfterSha256: sha256(after),
      },
    });
    const event = await auditor.createEvent.mock.results[0].value;
    expect(event.success).toHaveBeenCalledTimes(1);

    const log = logged.join('\n');
    expect(log).toContain('TrailGuardCloudTrailEncrypt');
    // The statements the key already had are not repeated in the log.
    const untouched = JSON.parse(before).Statement.map((s: any) => s.Sid);
    expect(untouched.length).toBeGreaterThan(0);
    for (const sid of untouched) expect(log).not.toContain(`"Sid": "${sid}"`);
    expect(JSON.stringify(outputsOf(ctx))).not.toContain(untouched[0]);
  });

  it('audits a switch of the trail (UpdateTrail) and a refusal made after authorization', async () => {
    const { enable, ensure, auditor } = setup();
    await expect(
      enable.handler(
        actionContext({ accountId, trailArn, keyArn }, { initiator: OWNER }),
      ),
    ).rejects.toThrow(/kms:GenerateDataKey\* is not allowed/);
    expect(auditor.createEvent).toHaveBeenLastCalledWith({
      eventId: 'remediation-refused',
      severityLevel: 'medium',
      meta: {
        action: 'aws:cloudtrail:enable-sse-kms',
        initiator: OWNER,
        accountId,
        trailArn,
        keyArn,
      },
    });
    expect(writeCalls(sandbox)).toEqual({});

    await ensure.handler(
      actionContext({ accountId, keyArn, trailArn }, { initiator: OWNER }),
    );
    sandbox.mutate.setTrailKey(trailArn, undefined);
    auditor.createEvent.mockClear();
    await enable.handler(
      actionContext({ accountId, trailArn, keyArn }, { initiator: OWNER }),
    );
    expect(auditor.createEvent).toHaveBeenCalledWith({
      eventId: 'remediation-write',
      severityLevel: 'high',
      meta: {
        action: 'cloudtrail:UpdateTrail',
        initiator: OWNER,
        accountId,
        trailArn,
        keyArn,
      },
    });
  });

  it('audits CreateKey with the hash of the new policy and keeps it out of the log', async () => {
    const { create, auditor } = setup();
    const ctx = actionContext(inputs['aws:kms:create-cloudtrail-key'], {
      initiator: OWNER,
    });
    const logged: string[] = [];
    jest.spyOn(ctx.logger, 'info').mockImplementation(((m: unknown) => {
      logged.push(String(m));
      return ctx.logger;
    }) as any);
    await create.handler(ctx);
    const policy = sandbox.state.keys.get(outputsOf(ctx).keyArn)!.policy;
    const actions = auditor.createEvent.mock.calls.map(([o]) => o.meta?.action);
    expect(actions).toEqual(['kms:CreateKey', 'kms:EnableKeyRotation']);
    expect(auditor.createEvent.mock.calls[0][0].meta).toMatchObject({
      accountId: DEMO.marketing.accountId,
      trailArn: DEMO.marketing.trailArn,
      policyAfterSha256: sha256(policy),
    });
    expect(logged.join('\n')).not.toContain('"Statement"');
  });
});
