import { mockServices } from '@backstage/backend-test-utils';
import type { Sandbox } from '@trailguard/aws-sandbox';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { validate } from 'jsonschema';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import {
  DEMO,
  sandboxConfig,
  startDemoSandbox,
  stopSandbox,
  writeCalls,
  allowingServices,
} from './__testUtils__/sandbox';
import {
  parameterProperties,
  runTemplate,
  TemplateDocument,
  withDefaults,
} from './__testUtils__/templateRunner';
import { createRemediationActions } from './actions';

jest.setTimeout(30_000);

const TEMPLATE_PATH = resolve(
  __dirname,
  '../../../templates/cloudtrail-sse-kms/template.yaml',
);
const template: TemplateDocument & Record<string, any> = parse(
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

function cardFormData(
  entity: string,
  trail: { accountId: string; trailArn: string },
  bucket: string,
  key?: string,
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
    ...(key
      ? { existingKeyArn: key, keyMode: 'existing' }
      : { keyMode: 'create' }),
  };
}

describe('templates/cloudtrail-sse-kms', () => {
  it('is a remediation template of the platform team', () => {
    expect(template).toMatchObject({
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: {
        name: 'cloudtrail-sse-kms',
        title: 'Encrypt CloudTrail logs with SSE-KMS',
      },
      spec: { owner: 'group:platform-team', type: 'remediation' },
    });
  });

  it("names its parameters exactly as the card's formData, plus the key options", () => {
    const names = [...parameterProperties(template).keys()].sort();
    expect(names).toEqual(
      [
        ...CARD_FORM_DATA_FIELDS,
        'keyAlias',
        'multiRegionKey',
        'readers',
      ].sort(),
    );
    const picker = parameterProperties(template).get('accountEntity');
    expect(picker['ui:field']).toBe('EntityPicker');
    expect(picker['ui:options'].catalogFilter).toEqual({
      kind: 'Resource',
      'spec.type': 'cloud-account',
    });
    expect(parameterProperties(template).get('keyMode').enum).toEqual([
      'create',
      'existing',
    ]);
  });

  it('accepts what the card prefills', () => {
    const properties = parameterProperties(template);
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
      }).toEqual({
        name,
        errors: [],
      });
    }
  });

  it('uses only actions of this module, with inputs they declare', () => {
    const actions = createRemediationActions({
      config: mockServices.rootConfig(),
      auth: mockServices.auth(),
      ...allowingServices(),
      discovery: mockServices.discovery(),
    });
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
        }).toEqual({
          step: step.id,
          key,
          declared: true,
        });
      }
    }
    expect(template.spec.output).toMatchObject({
      links: [{ entityRef: '${{ parameters.accountEntity }}' }],
    });
  });

  describe('run against the sandbox', () => {
    let sandbox: Sandbox;
    let backend: Server;
    let baseUrl: string;

    beforeAll(async () => {
      sandbox = await startDemoSandbox();
      // Stands in for the TrailGuard backend's rescan route.
      backend = createServer((req, res) => {
        const accountId = /accounts\/(\d{12})\/rescan/.exec(req.url ?? '')?.[1];
        // public-web's key lets anyone decrypt; nothing the template does
        // removes that, so its rescan keeps the critical finding.
        const open = accountId === DEMO.publicWeb.accountId;
        const report: Partial<AccountReport> = {
          accountId,
          status: open ? 'non-compliant' : 'compliant',
          scanStatus: 'ok',
          trails: [],
          findings: open
            ? [
                {
                  code: 'DECRYPT_OPEN_TO_ANY_PRINCIPAL',
                  severity: 'critical',
                  message: '',
                  remediation: '',
                },
              ]
            : [],
        };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(report));
      });
      await new Promise<void>(r => backend.listen(0, '127.0.0.1', r));
      baseUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise(r => backend?.close(r));
      await stopSandbox(sandbox);
    });
    beforeEach(() => {
      sandbox.loadScenario('demo');
      sandbox.resetCounters();
    });

    const actions = () =>
      createRemediationActions({
        config: sandboxConfig(sandbox),
        auth: mockServices.auth(),
        ...allowingServices(),
        ...allowingServices(),
        discovery: mockServices.discovery.mock({
          getBaseUrl: async () => baseUrl,
        }),
      });

    const marketing = () =>
      withDefaults(
        template,
        cardFormData(
          'aws-marketing-sandbox',
          DEMO.marketing,
          'marketing-sandbox-cloudtrail-100000000002',
        ),
      );
    const checkout = () =>
      withDefaults(
        template,
        cardFormData(
          'aws-checkout-staging',
          DEMO.checkout,
          'checkout-staging-cloudtrail-100000000006',
          DEMO.checkout.keyArn,
        ),
      );

    it('dry run, new key: every step checks, nothing is written', async () => {
      const run = await runTemplate(template, actions(), marketing(), {
        dryRun: true,
      });
      expect(run.ran).toEqual(['create-key', 'enable-sse-kms', 'rescan']);
      expect(run.steps.rescan.output.status).toBe('dry-run');
      expect(writeCalls(sandbox)).toEqual({});
      expect(run.output.links).toEqual([
        {
          title: 'Back to the account',
          icon: 'catalog',
          entityRef: 'resource:default/aws-marketing-sandbox',
        },
      ]);
    });

    it('dry run, existing key: the policy fix is previewed and the switch checked against it', async () => {
      const run = await runTemplate(template, actions(), checkout(), {
        dryRun: true,
      });
      expect(run.ran).toEqual(['ensure-policy', 'enable-sse-kms', 'rescan']);
      expect(run.steps['ensure-policy'].output.changed).toBe(true);
      expect(writeCalls(sandbox)).toEqual({});
    });

    it('dry run refuses a bucket Region that does not match the bucket', async () => {
      await expect(
        runTemplate(
          template,
          actions(),
          { ...marketing(), bucketRegion: 'eu-west-1' },
          { dryRun: true },
        ),
      ).rejects.toThrow(/set bucketRegion to us-east-1/);
      expect(writeCalls(sandbox)).toEqual({});
    });

    it('real run, new key: marketing-trail ends up on SSE-KMS', async () => {
      const run = await runTemplate(
        template,
        actions(),
        { ...marketing(), keyAlias: 'marketing-cloudtrail' },
        { dryRun: false },
      );
      const keyArn = run.steps['create-key'].output.keyArn;
      expect(sandbox.state.trails.get(DEMO.marketing.trailArn)!.kmsKeyArn).toBe(
        keyArn,
      );
      expect(run.output.text[0].content).toContain(
        `**Key:** \`${keyArn}\` (previously \`SSE-S3\`)`,
      );
      expect(run.output.text[0].content).toContain(
        '**Account status after the rescan:** compliant',
      );
      expect(run.output.text[0].content).toContain(
        '**Outcome:** fixed: no critical or high finding remains',
      );
      expect(run.steps.rescan.output.fixed).toBe(true);
      expect(run.output.text[0].content).toContain('**Findings left:** none');
    });

    it.each([
      ['legacy-billing', DEMO.legacyBilling, 'Disabled'],
      ['retired-analytics', DEMO.retired, 'PendingDeletion'],
    ])(
      'real run, existing %s key: refused in one line before anything changes',
      async (name, account, state) => {
        const data = withDefaults(
          template,
          cardFormData(
            `aws-${name}`,
            account,
            `${name}-cloudtrail-${account.accountId}`,
            account.keyArn,
          ),
        );
        const error = await runTemplate(template, actions(), data, {
          dryRun: false,
        }).catch(e => e);
        expect(error.message).toBe(
          `${account.keyArn} is ${state}, and CloudTrail only uses Enabled keys; nothing was changed. Enable the key first, or run the template again with "Create a new key".`,
        );
        expect(error.stack).toBe(`RemediationError: ${error.message}`);
        expect(writeCalls(sandbox)).toEqual({});
      },
    );

    it('real run, existing key open to anyone: fails at the rescan, never green', async () => {
      const publicWeb = withDefaults(
        template,
        cardFormData(
          'aws-public-web',
          DEMO.publicWeb,
          'public-web-cloudtrail-100000000008',
          DEMO.publicWeb.keyArn,
        ),
      );
      await expect(
        runTemplate(template, actions(), publicWeb, { dryRun: false }),
      ).rejects.toThrow(
        'Account 100000000008 is still non-compliant after remediation: DECRYPT_OPEN_TO_ANY_PRINCIPAL (critical) remain',
      );
      expect(writeCalls(sandbox)).toEqual({});
    });

    it('real run, existing key: checkout-staging gets the encrypt statement and keeps its key', async () => {
      const run = await runTemplate(template, actions(), checkout(), {
        dryRun: false,
      });
      expect(
        run.steps['ensure-policy'].output.addedStatements.map(
          (s: any) => s.Sid,
        ),
      ).toEqual(['TrailGuardCloudTrailEncrypt']);
      expect(run.steps['enable-sse-kms'].output).toMatchObject({
        changed: false,
        kmsKeyId: DEMO.checkout.keyArn,
      });
      expect(writeCalls(sandbox)).toEqual({ 'kms:PutKeyPolicy': 1 });
    });
  });
});
