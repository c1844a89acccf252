import { mockServices } from '@backstage/backend-test-utils';
import type { Sandbox } from '@trailguard/aws-sandbox';
import {
  actionContext,
  DEMO,
  sandboxConfig,
  startDemoSandbox,
  stopSandbox,
  allowingServices,
  sandboxEstate,
} from '../__testUtils__/sandbox';
import { createRemediationActions } from '.';

jest.setTimeout(30_000);

const INPUTS: Record<string, Record<string, unknown>> = {
  'aws:kms:create-cloudtrail-key': {
    accountId: DEMO.marketing.accountId,
    bucketRegion: 'us-east-1',
    trailArn: DEMO.marketing.trailArn,
  },
  'aws:kms:ensure-cloudtrail-key-policy': {
    accountId: DEMO.checkout.accountId,
    keyArn: DEMO.checkout.keyArn,
    trailArn: DEMO.checkout.trailArn,
  },
  'aws:cloudtrail:enable-sse-kms': DEMO.checkout,
  'cloudtrail-encryption:rescan': { accountId: DEMO.checkout.accountId },
  'cloudtrail-encryption:check-request': {
    accountId: DEMO.checkout.accountId,
    trailArn: DEMO.checkout.trailArn,
    keyMode: 'existing',
    existingKeyArn: DEMO.checkout.keyArn,
  },
  'aws:kms:restore-cloudtrail-key': {
    accountId: DEMO.legacyBilling.accountId,
    keyArn: DEMO.legacyBilling.keyArn,
  },
  'aws:kms:replicate-cloudtrail-key': {
    accountId: DEMO.dataLake.accountId,
    primaryKeyArn: DEMO.dataLake.keyArn,
    replicaRegion: 'us-east-1',
    trailArn: DEMO.dataLake.trailArn,
  },
  'aws:kms:narrow-cloudtrail-decrypt': {
    accountId: DEMO.publicWeb.accountId,
    keyArn: DEMO.publicWeb.keyArn,
    scope: 'organization',
  },
};

describe('remediation credentials', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startDemoSandbox();
  });
  afterAll(() => stopSandbox(sandbox));
  beforeEach(() => sandbox.resetCounters());

  function actions(remediation: Record<string, string> | null) {
    return createRemediationActions({
      config: sandboxConfig(sandbox, remediation),
      auth: mockServices.auth(),
      ...allowingServices(),
      discovery: mockServices.discovery(),
      estate: sandboxEstate(sandbox),
    });
  }

  it.each([false, true])(
    'without remediation.roleName every action fails and calls nothing (dry run: %s)',
    async dryRun => {
      for (const action of actions(null)) {
        await expect(
          action.handler(actionContext(INPUTS[action.id], { dryRun }) as any),
        ).rejects.toThrow(
          'remediation credentials are not configured: set cloudtrailEncryption.remediation.roleName',
        );
      }
      expect(sandbox.counters().total).toBe(0);
    },
  );

  it('refuses to use the read-only scan role for remediation', async () => {
    for (const action of actions({ roleName: 'TrailGuardReadOnly' })) {
      await expect(
        action.handler(actionContext(INPUTS[action.id]) as any),
      ).rejects.toThrow(/is also the read-only scan role/);
    }
    expect(sandbox.counters().total).toBe(0);
  });

  it('assumes the configured role name, not the scan role', async () => {
    // The demo accounts have no such role, so the refusal names the role
    // that was asked for: the configured one, never aws.accountDefaults'.
    const createKey = actions({
      roleName: 'NoSuchRole',
      externalId: 'tg-external',
    }).find(a => a.id === 'aws:kms:create-cloudtrail-key')!;
    await expect(
      createKey.handler(
        actionContext(INPUTS['aws:kms:create-cloudtrail-key']) as any,
      ),
    ).rejects.toThrow(
      /AssumeRole of the remediation role arn:aws:iam::100000000002:role\/NoSuchRole failed: AccessDenied/,
    );
  });
});
