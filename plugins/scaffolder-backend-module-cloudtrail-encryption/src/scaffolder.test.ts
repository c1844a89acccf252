import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import type { Sandbox } from '@trailguard/aws-sandbox';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import {
  DEMO,
  startDemoSandbox,
  stopSandbox,
  writeCalls,
} from './__testUtils__/sandbox';
import {
  OUTSIDER,
  OWNER,
  startScaffolderBackend,
} from './__testUtils__/scaffolderBackend';

jest.setTimeout(120_000);

/** Read when the tests start: the template is edited alongside this module. */
const TEMPLATE: Entity = parse(
  readFileSync(
    resolve(__dirname, '../../../templates/cloudtrail-sse-kms/template.yaml'),
    'utf8',
  ),
);

const OUTSIDE_ACCOUNT = '100000000099';
const OUTSIDE_KEY = `arn:aws:kms:us-east-1:${OUTSIDE_ACCOUNT}:key/0f0e0d0c-0b0a-4909-8807-060504030201`;
const OUTSIDE_READER = `arn:aws:iam::${OUTSIDE_ACCOUNT}:role/SecurityAudit`;

function template(
  name: string,
  properties: Record<string, unknown>,
  steps: Array<Record<string, unknown>>,
): Entity {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name, namespace: 'default' },
    spec: {
      owner: 'group:platform-team',
      type: 'remediation',
      parameters: [{ properties }],
      steps,
    },
  } as Entity;
}

const param = (name: string) => `\${{ parameters.${name} }}`;
const stringParams = (...names: string[]) =>
  Object.fromEntries(names.map(n => [n, { type: 'string' }]));

/** One action, its input straight from the parameters. */
function oneStep(
  name: string,
  action: string,
  inputs: string[],
  arrays: string[] = [],
) {
  return template(
    name,
    {
      ...stringParams(...inputs),
      ...Object.fromEntries(
        arrays.map(n => [n, { type: 'array', items: { type: 'string' } }]),
      ),
    },
    [
      {
        id: 'only',
        name: action,
        action,
        input: Object.fromEntries(
          [...inputs, ...arrays].map(n => [n, param(n)]),
        ),
      },
    ],
  );
}

const ENSURE = oneStep(
  'tg-ensure-policy',
  'aws:kms:ensure-cloudtrail-key-policy',
  ['accountId', 'keyArn', 'trailArn'],
);
const CREATE = oneStep(
  'tg-create-key',
  'aws:kms:create-cloudtrail-key',
  ['accountId', 'bucketRegion', 'trailArn'],
  ['readers'],
);
const ENABLE = oneStep('tg-enable-sse-kms', 'aws:cloudtrail:enable-sse-kms', [
  'accountId',
  'trailArn',
  'keyArn',
]);
const CHECK = oneStep(
  'tg-check-request',
  'cloudtrail-encryption:check-request',
  ['accountId', 'trailArn', 'keyMode', 'existingKeyArn'],
);

/** The remediation flow of the contract for the modes that work on the trail's current key. */
const FLOW = template(
  'tg-current-key-flow',
  stringParams(
    'accountId',
    'trailArn',
    'keyMode',
    'existingKeyArn',
    'confirmPlannedChanges',
  ),
  [
    {
      id: 'check',
      action: 'cloudtrail-encryption:check-request',
      input: {
        accountId: param('accountId'),
        trailArn: param('trailArn'),
        keyMode: param('keyMode'),
        existingKeyArn: param('existingKeyArn'),
        confirmedPlan: param('confirmPlannedChanges'),
      },
    },
    {
      id: 'restore',
      if: "${{ parameters.keyMode == 'restore' }}",
      action: 'aws:kms:restore-cloudtrail-key',
      input: {
        accountId: "${{ parameters.existingKeyArn.split(':')[4] }}",
        keyArn: param('existingKeyArn'),
      },
    },
    {
      id: 'replicate',
      if: "${{ parameters.keyMode == 'replicate' }}",
      action: 'aws:kms:replicate-cloudtrail-key',
      input: {
        accountId: "${{ parameters.existingKeyArn.split(':')[4] }}",
        primaryKeyArn: param('existingKeyArn'),
        replicaRegion: '${{ steps.check.output.bucketRegion }}',
        trailArn: param('trailArn'),
      },
    },
    {
      id: 'narrow',
      if: "${{ parameters.keyMode == 'narrow-decrypt' }}",
      action: 'aws:kms:narrow-cloudtrail-decrypt',
      input: {
        accountId: "${{ parameters.existingKeyArn.split(':')[4] }}",
        keyArn: param('existingKeyArn'),
        scope: 'organization',
      },
    },
    {
      id: 'enable',
      if: "${{ parameters.keyMode == 'replicate' }}",
      action: 'aws:cloudtrail:enable-sse-kms',
      input: {
        accountId: "${{ parameters.trailArn.split(':')[4] }}",
        trailArn: param('trailArn'),
        keyArn: '${{ steps.replicate.output.keyArn }}',
        dryRunKeyPolicy: '${{ steps.replicate.output.policy }}',
      },
    },
    {
      id: 'rescan',
      action: 'cloudtrail-encryption:rescan',
      input: { accountId: param('accountId') },
    },
  ],
);

function cardValues(
  account: { accountId: string; trailArn: string; keyArn?: string },
  entity: string,
  keyMode: string,
) {
  return {
    accountEntity: `resource:default/${entity}`,
    accountId: account.accountId,
    trailArn: account.trailArn,
    trailName: account.trailArn.split('/').pop(),
    trailRegion: 'us-east-1',
    bucketName: `${entity.replace(/^aws-/, '')}-cloudtrail-${
      account.accountId
    }`,
    bucketRegion: 'us-east-1',
    keyMode,
    ...(account.keyArn ? { existingKeyArn: account.keyArn } : {}),
  };
}

/** The task log; fails with it when the run did not complete. */
function expectCompleted(run: {
  status: string;
  events: Array<{ body: Record<string, any> }>;
}): string {
  const log = run.events
    .map(e => e.body?.message)
    .filter(Boolean)
    .join('\n');
  if (run.status !== 'completed') {
    throw new Error(`The run ${run.status}:\n${log}`);
  }
  return log;
}

describe('remediation through the real scaffolder, TrailGuard backend and sandbox', () => {
  let sandbox: Sandbox;
  let tg: Awaited<ReturnType<typeof startScaffolderBackend>>;

  beforeAll(async () => {
    sandbox = await startDemoSandbox();
    tg = await startScaffolderBackend({
      sandbox,
      templates: [TEMPLATE, ENSURE, CREATE, ENABLE, CHECK, FLOW],
    });
    await tg.fullScan();
  });
  afterAll(async () => {
    await tg?.backend.stop();
    await stopSandbox(sandbox);
  });
  beforeEach(() => {
    sandbox.loadScenario('demo');
    sandbox.resetCounters();
    tg.auditor.events.length = 0;
  });

  /** A run of FLOW with the plan confirmed, as the preview would. */
  async function runFlow(values: Record<string, unknown>) {
    return tg.runTask('template:default/tg-current-key-flow', {
      ...values,
      confirmPlannedChanges: await tg.confirmedPlan(FLOW, values),
    });
  }

  const refusals = () =>
    tg.auditor.events.filter(e => e.eventId === 'remediation-refused');
  const writes = () =>
    tg.auditor.events.filter(e => e.eventId === 'remediation-write');

  /** A refused real run: failed, one line naming why, no AWS write, audited. */
  async function expectRefused(
    templateName: string,
    values: Record<string, unknown>,
    reason: RegExp,
    user = OWNER,
  ) {
    const run = await tg.runTask(
      `template:default/${templateName}`,
      values,
      user,
    );
    expect(run.status).toBe('failed');
    const log = run.events
      .map(e => e.body?.message)
      .filter(Boolean)
      .join('\n');
    expect(log).toMatch(reason);
    expect(log).not.toMatch(/\n\s+at /);
    expect(writeCalls(sandbox)).toEqual({});
    expect(writes()).toEqual([]);
    const [refusal] = refusals();
    expect(refusal).toMatchObject({
      outcome: 'fail',
      meta: expect.objectContaining({ initiator: user }),
    });
    expect(refusal.error).toMatch(reason);
  }

  it('registers every action of the contract with the scaffolder', async () => {
    const res = await request(tg.backend.server)
      .get('/api/scaffolder/v2/actions')
      .set('Authorization', mockCredentials.user.header(OWNER));
    const ids = (res.body as Array<{ id: string }>).map(a => a.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'cloudtrail-encryption:check-request',
        'aws:kms:create-cloudtrail-key',
        'aws:kms:ensure-cloudtrail-key-policy',
        'aws:kms:restore-cloudtrail-key',
        'aws:kms:replicate-cloudtrail-key',
        'aws:kms:narrow-cloudtrail-decrypt',
        'aws:cloudtrail:enable-sse-kms',
        'cloudtrail-encryption:rescan',
      ]),
    );
  });

  it('dry run of the template (POST /v2/dry-run): checks every step, writes nothing', async () => {
    const res = await tg.dryRun(
      TEMPLATE,
      cardValues(DEMO.marketing, 'aws-marketing-sandbox', 'create'),
    );
    expect(res.status).toBe(200);
    const statuses = (res.body.log as Array<{ body: any }>)
      .filter(l => l.body.status)
      .map(l => `${l.body.stepId}:${l.body.status}`);
    expect(statuses).toContain('enable-sse-kms:completed');
    expect(statuses).not.toContainEqual(expect.stringMatching(/:failed$/));
    expect(writeCalls(sandbox)).toEqual({});
    expect(writes()).toEqual([]);
  });

  it('check-request recommends the mode the stored report calls for', async () => {
    const cases: Array<[any, string, string]> = [
      [DEMO.dataLake, 'existing', 'replicate'],
      [DEMO.publicWeb, 'existing', 'narrow-decrypt'],
      [DEMO.legacyBilling, 'existing', 'create'],
      [DEMO.marketing, 'create', 'create'],
    ];
    for (const [account, keyMode, mode] of cases) {
      const res = await tg.dryRun(CHECK, {
        accountId: account.accountId,
        trailArn: account.trailArn,
        keyMode,
        ...(account.keyArn ? { existingKeyArn: account.keyArn } : {}),
      });
      expect(res.status).toBe(200);
      const logged = (res.body.log as Array<{ body: any }>)
        .map(l => l.body.message ?? '')
        .join('\n');
      expect(logged).toContain(`the report calls for keyMode ${mode}`);
    }
    expect(sandbox.counters().total).toBe(0);
  });

  it('check-request refuses a trail that is not in the account report', async () => {
    const res = await tg.dryRun(CHECK, {
      accountId: DEMO.checkout.accountId,
      trailArn: DEMO.marketing.trailArn,
      keyMode: 'create',
    });
    const logged = JSON.stringify(res.body);
    expect(logged).toContain(
      `${DEMO.marketing.trailArn} is not in the TrailGuard report of account ${DEMO.checkout.accountId}`,
    );
    expect(sandbox.counters().total).toBe(0);
  });

  describe('refusals: a real run that changes nothing and is audited', () => {
    it('no permission', async () => {
      await expectRefused(
        'cloudtrail-sse-kms',
        cardValues(DEMO.checkout, 'aws-checkout-staging', 'existing'),
        /user:default\/outsider is not allowed cloudtrail-encryption\.remediate on account/,
        OUTSIDER,
      );
      expect(sandbox.counters().total).toBe(0);
    });

    it('no confirmed plan: a task created through the API without the preview', async () => {
      await expectRefused(
        'cloudtrail-sse-kms',
        cardValues(DEMO.marketing, 'aws-marketing-sandbox', 'create'),
        /No reviewed plan was confirmed/,
      );
      expect(sandbox.counters().total).toBe(0);
    });

    it('a confirmation of other values than those run (or a stale preview)', async () => {
      const reviewed = cardValues(
        DEMO.marketing,
        'aws-marketing-sandbox',
        'create',
      );
      const digest = await tg.confirmedPlan(TEMPLATE, reviewed);
      await expectRefused(
        'cloudtrail-sse-kms',
        {
          ...reviewed,
          readers: ['arn:aws:iam::100000000002:role/someone-else'],
          confirmPlannedChanges: digest,
        },
        /The planned changes you confirmed are no longer what this run would do/,
      );
      expect(writeCalls(sandbox)).toEqual({});
    });

    it('account outside the estate', async () => {
      await expectRefused(
        'tg-ensure-policy',
        {
          accountId: OUTSIDE_ACCOUNT,
          keyArn: OUTSIDE_KEY,
          trailArn: `arn:aws:cloudtrail:us-east-1:${OUTSIDE_ACCOUNT}:trail/their-trail`,
        },
        /Account 100000000099 is not in the TrailGuard estate/,
      );
      expect(sandbox.counters().total).toBe(0);
    });

    it('key in an outside account (the crafted-link attack on the template)', async () => {
      await expectRefused(
        'cloudtrail-sse-kms',
        {
          ...cardValues(DEMO.checkout, 'aws-checkout-staging', 'existing'),
          existingKeyArn: OUTSIDE_KEY,
        },
        /is in account 100000000099, which is neither the trail owner's account 100000000006 nor an account of its organization/,
      );
      expect(sandbox.counters().total).toBe(0);
    });

    it('key in an outside account, handed straight to enable-sse-kms', async () => {
      await expectRefused(
        'tg-enable-sse-kms',
        {
          accountId: DEMO.checkout.accountId,
          trailArn: DEMO.checkout.trailArn,
          keyArn: OUTSIDE_KEY,
        },
        /is in account 100000000099, which is neither the trail owner's account/,
      );
      expect(sandbox.counters().total).toBe(0);
    });

    it('outside reader', async () => {
      await expectRefused(
        'tg-create-key',
        {
          accountId: DEMO.marketing.accountId,
          bucketRegion: 'us-east-1',
          trailArn: DEMO.marketing.trailArn,
          readers: [OUTSIDE_READER],
        },
        /readers arn:aws:iam::100000000099:role\/SecurityAudit are not principals of the estate/,
      );
      expect(sandbox.counters().total).toBe(0);
    });

    function addKey(keyManager: 'AWS' | 'CUSTOMER') {
      const model = sandbox.state.keys.get(DEMO.checkout.keyArn)!;
      const id =
        keyManager === 'AWS'
          ? 'a1a1a1a1-b2b2-4c3c-8d4d-e5e5e5e5e5e5'
          : 'c3c3c3c3-d4d4-4e5e-8f6f-a7a7a7a7a7a7';
      const arn = `arn:aws:kms:us-east-1:${DEMO.checkout.accountId}:key/${id}`;
      sandbox.state.keys.set(arn, {
        ...structuredClone(model),
        id,
        arn,
        keyManager,
        tags: {},
      });
      return arn;
    }

    it('AWS managed key', async () => {
      const keyArn = addKey('AWS');
      const policy = sandbox.state.keys.get(keyArn)!.policy;
      await expectRefused(
        'tg-ensure-policy',
        {
          accountId: DEMO.checkout.accountId,
          keyArn,
          trailArn: DEMO.checkout.trailArn,
        },
        /is an AWS managed key/,
      );
      expect(sandbox.state.keys.get(keyArn)!.policy).toBe(policy);
    });

    it('customer managed key no trail uses, without the tag', async () => {
      const keyArn = addKey('CUSTOMER');
      const policy = sandbox.state.keys.get(keyArn)!.policy;
      await expectRefused(
        'tg-ensure-policy',
        {
          accountId: DEMO.checkout.accountId,
          keyArn,
          trailArn: DEMO.checkout.trailArn,
        },
        /is not used by a trail of account 100000000006 .*and does not carry the tag trailguard:cloudtrail-logs/,
      );
      expect(sandbox.state.keys.get(keyArn)!.policy).toBe(policy);
    });
  });

  describe('fixes the report calls for, as real runs', () => {
    it('multi-Region key in another Region: replicates it into the bucket Region and the account is fixed', async () => {
      const run = await runFlow({
        accountId: DEMO.dataLake.accountId,
        trailArn: DEMO.dataLake.trailArn,
        keyMode: 'replicate',
        existingKeyArn: DEMO.dataLake.keyArn,
      });
      const log = expectCompleted(run);
      const replica = DEMO.dataLake.keyArn.replace(
        ':eu-west-1:',
        ':us-east-1:',
      );
      expect(sandbox.state.trails.get(DEMO.dataLake.trailArn)!.kmsKeyArn).toBe(
        replica,
      );
      expect(writeCalls(sandbox)).toEqual({
        'kms:ReplicateKey': 1,
        'cloudtrail:UpdateTrail': 1,
      });
      expect(writes().map(e => [e.meta.action, e.outcome])).toEqual([
        ['kms:ReplicateKey', 'success'],
        ['cloudtrail:UpdateTrail', 'success'],
      ]);
      expect(writes()[0].meta).toMatchObject({
        initiator: OWNER,
        accountId: DEMO.dataLake.accountId,
        trailArn: DEMO.dataLake.trailArn,
        policyAfterSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(log).toContain(`Account ${DEMO.dataLake.accountId} is fixed`);
    });

    it('decrypt open to everyone: narrows the statement to the organization, previewed as a statement diff', async () => {
      const preview = await tg.dryRun(FLOW, {
        accountId: DEMO.publicWeb.accountId,
        trailArn: DEMO.publicWeb.trailArn,
        keyMode: 'narrow-decrypt',
        existingKeyArn: DEMO.publicWeb.keyArn,
      });
      expect(preview.status).toBe(200);
      const previewLog = (preview.body.log as Array<{ body: any }>)
        .map(l => l.body.message ?? '')
        .join('\n');
      expect(previewLog).toContain(
        'would narrow the key policy of arn:aws:kms:us-east-1:100000000008:key/5e2b0d5f-90f1-4ec3-b64c-cdf64517b899: Allow log readers to decrypt limited to aws:PrincipalOrgID = o-tgdemo12345',
      );
      // The statements changed, never the whole policy.
      expect(previewLog).not.toContain('Enable IAM User Permissions');
      expect(writeCalls(sandbox)).toEqual({});

      const run = await runFlow({
        accountId: DEMO.publicWeb.accountId,
        trailArn: DEMO.publicWeb.trailArn,
        keyMode: 'narrow-decrypt',
        existingKeyArn: DEMO.publicWeb.keyArn,
      });
      expectCompleted(run);
      expect(writeCalls(sandbox)).toEqual({ 'kms:PutKeyPolicy': 1 });
      const policy = JSON.parse(
        sandbox.state.keys.get(DEMO.publicWeb.keyArn)!.policy,
      );
      expect(
        policy.Statement.find(
          (s: any) => s.Sid === 'Allow log readers to decrypt',
        ).Condition,
      ).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-tgdemo12345' } });
      expect(writes()[0].meta).toMatchObject({
        action: 'kms:PutKeyPolicy',
        policyBeforeSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        policyAfterSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    });

    it('disabled key: restore enables it and the delivery recovers', async () => {
      const run = await runFlow({
        accountId: DEMO.legacyBilling.accountId,
        trailArn: DEMO.legacyBilling.trailArn,
        keyMode: 'restore',
        existingKeyArn: DEMO.legacyBilling.keyArn,
      });
      expectCompleted(run);
      expect(writeCalls(sandbox)).toEqual({ 'kms:EnableKey': 1 });
      expect(sandbox.state.keys.get(DEMO.legacyBilling.keyArn)!.state).toBe(
        'Enabled',
      );
    });
  });
});
