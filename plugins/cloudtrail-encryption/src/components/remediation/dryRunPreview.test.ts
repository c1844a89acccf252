import {
  diffSide,
  dryRunErrorText,
  dryRunRequest,
  previewSteps,
  requestParties,
} from './dryRunPreview';

const template = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'cloudtrail-sse-kms' },
  spec: {
    parameters: [
      {
        title: 'Account and trail',
        required: ['accountId'],
        properties: { accountId: { type: 'string' } },
      },
      {
        title: 'Planned changes',
        required: ['confirmPlannedChanges'],
        properties: {
          confirmPlannedChanges: {
            type: 'string',
            pattern: '^[0-9a-f]{64}$',
            'ui:field': 'TrailGuardRemediationPreview',
          },
        },
      },
    ],
    steps: [{ id: 'check', action: 'cloudtrail-encryption:check-request' }],
  },
};

describe('dryRunRequest', () => {
  it('sends the template without the preview page, and the values without the confirmation', () => {
    const request = dryRunRequest(template, {
      accountId: '100000000002',
      confirmPlannedChanges: 'f'.repeat(64),
    });
    expect(request.template.spec.parameters).toEqual([
      template.spec.parameters[0],
    ]);
    expect(request.template.spec.steps).toBe(template.spec.steps);
    expect(request.values).toEqual({ accountId: '100000000002' });
    // The catalog's entity is left as it is.
    expect(template.spec.parameters).toHaveLength(2);
  });
});

// The shape of a real dry run's log (scaffolder-backend's dry runner).
const log = [
  { body: { message: 'Starting up task with 3 steps' } },
  {
    body: {
      stepId: 'check',
      status: 'processing',
      message: 'Beginning step Check',
    },
  },
  {
    body: {
      stepId: 'check',
      message:
        '\u001b[32minfo\u001b[39m: Running cloudtrail-encryption:check-request in dry-run mode with inputs (secrets redacted): {}',
    },
  },
  {
    body: {
      stepId: 'check',
      message:
        '\u001b[32minfo\u001b[39m: blocking findings DECRYPT_OPEN_TO_ANY_PRINCIPAL',
    },
  },
  {
    body: {
      stepId: 'check',
      status: 'completed',
      message: 'Finished step Check',
    },
  },
  {
    body: {
      stepId: 'create-key',
      status: 'processing',
      message: 'Beginning step',
    },
  },
  {
    body: {
      stepId: 'create-key',
      status: 'skipped',
      message: 'Skipping step create-key because its if condition was false',
    },
  },
  {
    body: { stepId: 'narrow', status: 'processing', message: 'Beginning step' },
  },
  {
    body: {
      stepId: 'narrow',
      message:
        '\u001b[32minfo\u001b[39m: Dry run: would narrow\n~ Open\n- {"Sid":"Open"}\n+ {"Sid":"Open","Condition":{}}',
    },
  },
  { body: { stepId: 'narrow', status: 'completed', message: 'Finished step' } },
];

describe('previewSteps', () => {
  it('keeps what each step would do, without the scaffolder bookkeeping', () => {
    const steps = previewSteps({
      log: log as any,
      steps: [
        { id: 'check', name: 'Check', action: 'a' },
        { id: 'create-key', name: 'Create', action: 'b' },
        { id: 'narrow', name: 'Narrow', action: 'c' },
        { id: 'rescan', name: 'Rescan', action: 'd' },
      ] as any,
    });
    expect(steps).toEqual([
      {
        id: 'check',
        name: 'Check',
        status: 'will-run',
        lines: [
          {
            text: 'blocking findings DECRYPT_OPEN_TO_ANY_PRINCIPAL',
            level: 'info',
          },
        ],
      },
      { id: 'create-key', name: 'Create', status: 'not-needed', lines: [] },
      {
        id: 'narrow',
        name: 'Narrow',
        status: 'will-run',
        lines: [
          {
            text: 'Dry run: would narrow\n~ Open\n- {"Sid":"Open"}\n+ {"Sid":"Open","Condition":{}}',
            level: 'info',
          },
        ],
      },
      { id: 'rescan', name: 'Rescan', status: 'not-reached', lines: [] },
    ]);
  });
});

describe('diffSide', () => {
  it.each([
    ['+ {"Sid":"A"}', 'added'],
    ['- {"Sid":"A"}', 'removed'],
    ['~ A', undefined],
    ['-1 days', undefined],
    ['Dry run: would narrow', undefined],
  ])('%s', (line, side) => {
    expect(diffSide(line)).toBe(side);
  });
});

describe('dryRunErrorText', () => {
  it("keeps the action's own words", () => {
    expect(
      dryRunErrorText({
        message:
          'Request failed with 500 Internal Server Error, The key is in account 999999999999, outside the organization',
        body: {
          error: {
            message:
              'The key is in account 999999999999, outside the organization',
          },
        },
        response: { status: 500 },
      }),
    ).toBe('The key is in account 999999999999, outside the organization');
  });

  it('says when the user may not dry-run', () => {
    expect(
      dryRunErrorText({
        body: { error: { message: 'Unauthorized' } },
        response: { status: 403 },
      }),
    ).toBe('You may not run this template as a dry run: Unauthorized');
  });
});

describe('requestParties', () => {
  it("puts the key's account next to the trail's", () => {
    expect(
      requestParties({
        accountId: '100000000006',
        trailArn:
          'arn:aws:cloudtrail:us-east-1:100000000006:trail/checkout-trail',
        keyMode: 'existing',
        existingKeyArn:
          'arn:aws:kms:us-east-1:999999999999:key/11111111-2222-3333-4444-555555555555',
        bucketRegion: 'us-east-1',
      }),
    ).toMatchObject({
      trailAccountId: '100000000006',
      keyAccountId: '999999999999',
      keyRegion: 'us-east-1',
    });
  });

  it('ignores a prefilled key when a new key is created', () => {
    expect(
      requestParties({
        trailArn:
          'arn:aws:cloudtrail:us-east-1:100000000004:trail/billing-trail',
        keyMode: 'create',
        existingKeyArn:
          'arn:aws:kms:us-east-1:100000000004:key/024fe294-3c75-42c0-82e3-8fbacc4e3524',
      }).keyArn,
    ).toBeUndefined();
  });
});
