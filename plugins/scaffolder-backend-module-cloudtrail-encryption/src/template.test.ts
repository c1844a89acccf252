import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { Sandbox } from '@trailguard/aws-sandbox';
import { validate } from 'jsonschema';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import {
  allowingServices,
  DEMO,
  startDemoSandbox,
  stopSandbox,
  writeCalls,
} from './__testUtils__/sandbox';
import { startScaffolderBackend } from './__testUtils__/scaffolderBackend';
import { createRemediationActions } from './actions';
import { KEY_MODES } from './schemas';

jest.setTimeout(120_000);

const TEMPLATE_PATH = resolve(
  __dirname,
  '../../../templates/cloudtrail-sse-kms/template.yaml',
);
/** Read when the tests start: the template is edited alongside this module. */
const template: Entity & { spec: Record<string, any> } = parse(
  readFileSync(TEMPLATE_PATH, 'utf8'),
);

/** RemediationFormData of the entity card (plugins/cloudtrail-encryption). */
const CARD_FORM_DATA_FIELDS = [
  'accountEntity',
  'accountId',
  'trailArn',
  'trailName',
  'trailRegion',
  'bucketName',
  'bucketRegion',
  'existingKeyArn',
  'keyMode',
];

/** Property schemas of every page, including those of dependency branches. */
function parameterProperties(): Map<string, any> {
  const properties = new Map<string, any>();
  const visit = (schema: Record<string, any>) => {
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (!properties.has(name) || (property as any).type) {
        properties.set(name, property);
      }
    }
    for (const dependency of Object.values(schema.dependencies ?? {})) {
      for (const branch of (dependency as any).oneOf ?? []) visit(branch);
    }
  };
  template.spec.parameters.forEach(visit);
  return properties;
}

/** The form's defaults for fields the prefilled data leaves out. */
function withDefaults(formData: Record<string, unknown>) {
  const values = { ...formData };
  for (const [name, property] of parameterProperties()) {
    if (values[name] === undefined && property.default !== undefined) {
      values[name] = property.default;
    }
  }
  return values;
}

function cardFormData(
  entity: string,
  trail: { accountId: string; trailArn: string },
  bucket: string,
  key?: string,
  keyMode = key ? 'existing' : 'create',
) {
  const name = trail.trailArn.split('/').pop()!;
  return {
    accountEntity: `resource:default/${entity}`,
    accountId: trail.accountId,
    trailArn: trail.trailArn,
    trailName: name,
    trailRegion: 'us-east-1',
    bucketName: bucket,
    bucketRegion: 'us-east-1',
    keyMode,
    ...(key ? { existingKeyArn: key } : {}),
  };
}

describe('templates/cloudtrail-sse-kms', () => {
  it('is a remediation template of the platform team', () => {
    expect(template).toMatchObject({
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: 'cloudtrail-sse-kms' },
      spec: { owner: 'group:platform-team', type: 'remediation' },
    });
  });

  it("names its parameters as the card's formData, and offers every key mode of the actions", () => {
    const names = [...parameterProperties().keys()];
    expect(names).toEqual(expect.arrayContaining(CARD_FORM_DATA_FIELDS));
    const picker = parameterProperties().get('accountEntity');
    expect(picker['ui:field']).toBe('EntityPicker');
    expect(picker['ui:options'].catalogFilter).toEqual({
      kind: 'Resource',
      'spec.type': 'cloud-account',
    });
    expect([...parameterProperties().get('keyMode').enum].sort()).toEqual(
      [...KEY_MODES].sort(),
    );
  });

  it('accepts what the card prefills', () => {
    const properties = parameterProperties();
    const data = cardFormData(
      'aws-checkout-staging',
      DEMO.checkout,
      'checkout-staging-cloudtrail-100000000006',
      DEMO.checkout.keyArn,
    );
    for (const [name, value] of Object.entries(data)) {
      const schema = { ...properties.get(name) };
      expect({
        name,
        errors: validate(value, schema).errors.map(String),
      }).toEqual({ name, errors: [] });
    }
  });

  it('starts with check-request and uses only actions of this module, with inputs they declare', () => {
    const actions = createRemediationActions({
      config: mockServices.rootConfig(),
      auth: mockServices.auth(),
      ...allowingServices(),
      discovery: mockServices.discovery(),
    });
    expect(template.spec.steps[0].action).toBe(
      'cloudtrail-encryption:check-request',
    );
    for (const step of template.spec.steps) {
      const action = actions.find(a => a.id === step.action);
      expect(action).toBeDefined();
      const declared = Object.keys(
        (action!.schema!.input as any).properties ?? {},
      );
      for (const key of Object.keys(step.input ?? {})) {
        expect({
          step: step.id,
          key,
          declared: declared.includes(key),
        }).toEqual({ step: step.id, key, declared: true });
      }
    }
    expect(template.spec.output).toMatchObject({
      links: [{ entityRef: '${{ parameters.accountEntity }}' }],
    });
  });

  describe('run by the real scaffolder against the TrailGuard backend and the sandbox', () => {
    let sandbox: Sandbox;
    let tg: Awaited<ReturnType<typeof startScaffolderBackend>>;

    beforeAll(async () => {
      sandbox = await startDemoSandbox();
      tg = await startScaffolderBackend({ sandbox, templates: [template] });
      await tg.fullScan();
    });
    afterAll(async () => {
      await tg?.backend.stop();
      await stopSandbox(sandbox);
    });
    beforeEach(() => {
      sandbox.loadScenario('demo');
      sandbox.resetCounters();
    });

    // What the preview dry-runs: the form's values without the confirmation.
    const confirmed = (values: Record<string, unknown>) => withDefaults(values);
    /** A run with the plan confirmed, as the preview's checkbox does. */
    const run = async (values: Record<string, unknown>) => {
      const filled = withDefaults(values);
      return tg.runTask('template:default/cloudtrail-sse-kms', {
        ...filled,
        confirmPlannedChanges: await tg.confirmedPlan(template as any, filled),
      });
    };
    const logOf = (r: { events: Array<{ body: any }> }) =>
      r.events
        .map(e => e.body?.message)
        .filter(Boolean)
        .join('\n');
    const dryRunLog = (body: any) =>
      (body.log as Array<{ body: any }>)
        .map(l => l.body.message ?? '')
        .join('\n');

    const marketing = () =>
      cardFormData(
        'aws-marketing-sandbox',
        DEMO.marketing,
        'marketing-sandbox-cloudtrail-100000000002',
      );
    const checkout = () =>
      cardFormData(
        'aws-checkout-staging',
        DEMO.checkout,
        'checkout-staging-cloudtrail-100000000006',
        DEMO.checkout.keyArn,
      );

    it('dry run, new key: every step checks, nothing is written', async () => {
      const res = await tg.dryRun(template, confirmed(marketing()));
      expect(res.status).toBe(200);
      const log = dryRunLog(res.body);
      expect(log).toContain('Dry run: would create a key in 100000000002');
      expect(log).toContain('Dry run: checks passed; would call UpdateTrail');
      expect(log).toContain('Dry run: would rescan account 100000000002');
      expect(writeCalls(sandbox)).toEqual({});
    });

    it('dry run, existing key: the policy fix is previewed and the switch checked against it', async () => {
      const res = await tg.dryRun(template, confirmed(checkout()));
      expect(res.status).toBe(200);
      const log = dryRunLog(res.body);
      expect(log).toContain(
        `Dry run: would add to the key policy of ${DEMO.checkout.keyArn}: TrailGuardCloudTrailEncrypt`,
      );
      expect(writeCalls(sandbox)).toEqual({});
    });

    it("takes the bucket Region from the report, not from the link's bucketRegion", async () => {
      const res = await tg.dryRun(
        template,
        confirmed({ ...marketing(), bucketRegion: 'eu-west-1' }),
      );
      expect(res.status).toBe(200);
      expect(dryRunLog(res.body)).toContain(
        'Dry run: would create a key in 100000000002 us-east-1',
      );
      expect(writeCalls(sandbox)).toEqual({});
    });

    it('real run, new key: marketing-trail ends up on SSE-KMS and the account is fixed', async () => {
      const result = await run({
        ...marketing(),
        keyAlias: 'marketing-cloudtrail',
      });
      const log = logOf(result);
      expect({ status: result.status, log }).toEqual({
        status: 'completed',
        log: expect.stringContaining('Account 100000000002 is fixed'),
      });
      const keyArn = sandbox.state.trails.get(DEMO.marketing.trailArn)!
        .kmsKeyArn!;
      expect(keyArn).toMatch(/^arn:aws:kms:us-east-1:100000000002:key\//);
      expect(log).toContain(
        `${DEMO.marketing.trailArn} now encrypts its log files with ${keyArn} (was SSE-S3)`,
      );
    });

    it.each([
      ['legacy-billing', DEMO.legacyBilling, 'Disabled'],
      ['retired-analytics', DEMO.retired, 'PendingDeletion'],
    ])(
      'real run, "existing" on the %s key: refused in one line before anything changes',
      async (name, account, state) => {
        const result = await run(
          cardFormData(
            `aws-${name}`,
            account,
            `${name}-cloudtrail-${account.accountId}`,
            account.keyArn,
          ),
        );
        expect(result.status).toBe('failed');
        expect(logOf(result)).toContain(
          `${account.keyArn} is ${state}, and CloudTrail only uses Enabled keys; nothing was changed. Enable the key first, or run the template again with "Create a new key".`,
        );
        expect(logOf(result)).not.toMatch(/\n\s+at /);
        expect(writeCalls(sandbox)).toEqual({});
      },
    );

    it('real run, existing key open to anyone: fails at the rescan, never green', async () => {
      const result = await run(
        cardFormData(
          'aws-public-web',
          DEMO.publicWeb,
          'public-web-cloudtrail-100000000008',
          DEMO.publicWeb.keyArn,
        ),
      );
      expect(result.status).toBe('failed');
      expect(logOf(result)).toContain(
        'Account 100000000008 is still non-compliant after remediation: DECRYPT_OPEN_TO_ANY_PRINCIPAL (critical) remain',
      );
      expect(writeCalls(sandbox)).toEqual({});
    });

    it('real run, narrow-decrypt on the key open to anyone: the account is fixed', async () => {
      const result = await run(
        cardFormData(
          'aws-public-web',
          DEMO.publicWeb,
          'public-web-cloudtrail-100000000008',
          DEMO.publicWeb.keyArn,
          'narrow-decrypt',
        ),
      );
      expect({ status: result.status, log: logOf(result) }).toEqual({
        status: 'completed',
        log: expect.stringContaining('Account 100000000008 is fixed'),
      });
      expect(writeCalls(sandbox)).toEqual({ 'kms:PutKeyPolicy': 1 });
    });

    it('real run, existing key: checkout-staging gets the encrypt statement and keeps its key', async () => {
      const result = await run(checkout());
      expect({ status: result.status, log: logOf(result) }).toEqual({
        status: 'completed',
        log: expect.stringContaining(
          `Updated the key policy of ${DEMO.checkout.keyArn}: TrailGuardCloudTrailEncrypt`,
        ),
      });
      expect(logOf(result)).toContain(
        `${DEMO.checkout.trailArn} already uses ${DEMO.checkout.keyArn}`,
      );
      expect(writeCalls(sandbox)).toEqual({ 'kms:PutKeyPolicy': 1 });
    });

    it('real run, replicate: data-lake moves to a replica of its key in the bucket Region', async () => {
      const result = await run(
        cardFormData(
          'aws-data-lake',
          DEMO.dataLake,
          'data-lake-cloudtrail-100000000003',
          DEMO.dataLake.keyArn,
          'replicate',
        ),
      );
      expect({ status: result.status, log: logOf(result) }).toEqual({
        status: 'completed',
        log: expect.stringContaining('Account 100000000003 is fixed'),
      });
      expect(sandbox.state.trails.get(DEMO.dataLake.trailArn)!.kmsKeyArn).toBe(
        DEMO.dataLake.keyArn.replace(':eu-west-1:', ':us-east-1:'),
      );
    });
  });
});
