import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { scaffolderApiRef } from '@backstage/plugin-scaffolder-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  RemediationPreview,
  validateRemediationPreview,
} from './RemediationPreview';

const TEMPLATE_REF = 'template:default/cloudtrail-sse-kms';

const templateEntity = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'cloudtrail-sse-kms', namespace: 'default' },
  spec: {
    type: 'remediation',
    parameters: [
      {
        title: 'KMS key',
        properties: { keyMode: { type: 'string' } },
      },
      {
        title: 'Planned changes',
        properties: {
          confirmPlannedChanges: {
            type: 'string',
            pattern: '^[0-9a-f]{64}$',
            'ui:field': 'TrailGuardRemediationPreview',
          },
        },
      },
    ],
    steps: [
      { id: 'check', name: 'Check the request', action: 'x' },
      { id: 'ensure-policy', name: 'Add the missing statements', action: 'y' },
      { id: 'narrow-decrypt', name: 'Narrow Decrypt', action: 'z' },
    ],
  },
};

const values = {
  accountEntity: 'resource:default/aws-checkout-staging',
  accountId: '100000000006',
  trailArn: 'arn:aws:cloudtrail:us-east-1:100000000006:trail/checkout-trail',
  bucketRegion: 'us-east-1',
  keyMode: 'existing',
  existingKeyArn:
    'arn:aws:kms:us-east-1:100000000006:key/099aa6ce-f66d-422e-a7e7-91d793764558',
  confirmPlannedChanges: 'f'.repeat(64),
};

/** The plan digest the dry run's template output carries. */
const DIGEST = 'a1'.repeat(32);

const dryRunResponse = {
  directoryContents: [],
  steps: templateEntity.spec.steps,
  output: { planDigest: DIGEST },
  log: [
    {
      body: {
        stepId: 'check',
        status: 'processing',
        message: 'Beginning step',
      },
    },
    {
      body: {
        stepId: 'check',
        message:
          '\u001b[32minfo\u001b[39m: blocking findings CLOUDTRAIL_CANNOT_ENCRYPT',
      },
    },
    {
      body: { stepId: 'check', status: 'completed', message: 'Finished step' },
    },
    {
      body: {
        stepId: 'ensure-policy',
        status: 'processing',
        message: 'Beginning step',
      },
    },
    {
      body: {
        stepId: 'ensure-policy',
        message:
          '\u001b[32minfo\u001b[39m: Dry run: would add 1 statement\n+ {"Sid":"TrailGuardCloudTrailEncrypt","Action":"kms:GenerateDataKey*"}',
      },
    },
    {
      body: {
        stepId: 'ensure-policy',
        status: 'completed',
        message: 'Finished step',
      },
    },
    {
      body: {
        stepId: 'narrow-decrypt',
        status: 'processing',
        message: 'Beginning step',
      },
    },
    {
      body: {
        stepId: 'narrow-decrypt',
        status: 'skipped',
        message:
          'Skipping step narrow-decrypt because its if condition was false',
      },
    },
  ],
};

async function renderPreview(options: {
  dryRun: jest.Mock;
  formValues?: Record<string, unknown>;
  formData?: boolean;
}) {
  const onChange = jest.fn();
  const catalogApi = {
    getEntityByRef: jest.fn().mockResolvedValue(templateEntity),
  };
  const props: any = {
    onChange,
    formData: options.formData,
    formContext: { formData: options.formValues ?? values },
    uiSchema: { 'ui:options': { templateRef: TEMPLATE_REF } },
    idSchema: { $id: 'root_confirmPlannedChanges' },
    rawErrors: [],
    schema: {},
  };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [catalogApiRef, catalogApi],
        [scaffolderApiRef, { dryRun: options.dryRun }],
      ]}
    >
      <RemediationPreview {...props} />
    </TestApiProvider>,
  );
  return { onChange, catalogApi };
}

describe('RemediationPreview', () => {
  it('dry-runs the template from the catalog with the form values, and shows each planned change', async () => {
    const dryRun = jest.fn().mockResolvedValue(dryRunResponse);
    const { onChange, catalogApi } = await renderPreview({ dryRun });

    const step = await screen.findByTestId('preview-step-ensure-policy');
    expect(within(step).getByText('will run')).toBeInTheDocument();
    const added = step.querySelector('[data-diff="added"]');
    expect(added).toHaveTextContent(
      '+ {"Sid":"TrailGuardCloudTrailEncrypt","Action":"kms:GenerateDataKey*"}',
    );
    expect(
      within(screen.getByTestId('preview-step-check')).getByText(
        'blocking findings CLOUDTRAIL_CANNOT_ENCRYPT',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('preview-step-narrow-decrypt')).toBeNull();
    expect(screen.getByTestId('preview-not-needed')).toHaveTextContent(
      'Not needed for this fix: Narrow Decrypt.',
    );

    expect(catalogApi.getEntityByRef).toHaveBeenCalledWith(TEMPLATE_REF);
    expect(dryRun).toHaveBeenCalledTimes(1);
    const request = dryRun.mock.calls[0][0];
    // Neither the confirmation nor the page asking for it is sent.
    expect(request.values).not.toHaveProperty('confirmPlannedChanges');
    expect(request.values).toMatchObject({ keyMode: 'existing' });
    expect(request.template.spec.parameters).toHaveLength(1);
    expect(request.template.spec.steps).toEqual(templateEntity.spec.steps);
    expect(request.directoryContents).toEqual([]);

    // An earlier confirmation does not carry over to a new preview.
    expect(onChange).toHaveBeenCalledWith(undefined);
    const box = screen.getByRole('checkbox');
    expect(box).toBeEnabled();
    await userEvent.click(box);
    // The confirmation is the digest of the plan shown, which the run checks.
    expect(onChange).toHaveBeenLastCalledWith(DIGEST);
  });

  it('offers nothing to confirm when the dry run gives no plan digest', async () => {
    const dryRun = jest
      .fn()
      .mockResolvedValue({ ...dryRunResponse, output: {} });
    await renderPreview({ dryRun });
    await screen.findByTestId('preview-step-ensure-policy');
    expect(screen.getByRole('checkbox')).toBeDisabled();
  });

  it("shows the key's account next to the trail's, and warns when they differ", async () => {
    const dryRun = jest.fn().mockResolvedValue(dryRunResponse);
    await renderPreview({
      dryRun,
      formValues: {
        ...values,
        existingKeyArn:
          'arn:aws:kms:us-east-1:999999999999:key/11111111-2222-3333-4444-555555555555',
      },
    });
    const parties = screen.getByTestId('preview-parties');
    expect(parties).toHaveTextContent("Trail's account100000000006");
    expect(parties).toHaveTextContent("Key's account999999999999");
    expect(screen.getByTestId('preview-outside-key')).toHaveTextContent(
      "The key belongs to account 999999999999, not to the trail's account 100000000006.",
    );
    await screen.findByTestId('preview-step-ensure-policy');
  });

  it('explains a refused dry run in plain words and offers nothing to confirm', async () => {
    const error = Object.assign(
      new Error('Request failed with 500 Internal Server Error'),
      {
        body: {
          error: {
            name: 'RemediationError',
            message:
              'The key belongs to account 999999999999, which is neither the trail owner nor a trusted account of the organization. Nothing was changed.',
          },
        },
        response: { status: 500 },
      },
    );
    const dryRun = jest.fn().mockRejectedValue(error);
    const { onChange } = await renderPreview({ dryRun });
    const alert = await screen.findByTestId('preview-error');
    expect(alert).toHaveTextContent(
      'The dry run stopped, so there is nothing to confirm: The key belongs to account 999999999999, which is neither the trail owner nor a trusted account of the organization. Nothing was changed.',
    );
    expect(alert).not.toHaveTextContent('Request failed');
    expect(screen.getByRole('checkbox')).toBeDisabled();
    expect(onChange).not.toHaveBeenCalledWith(DIGEST);

    dryRun.mockResolvedValueOnce(dryRunResponse);
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByRole('checkbox')).toBeEnabled());
    expect(dryRun).toHaveBeenCalledTimes(2);
  });
});

describe('validateRemediationPreview', () => {
  it('lets the form go on only once confirmed', () => {
    const addError = jest.fn();
    validateRemediationPreview(undefined, { addError });
    validateRemediationPreview('yes', { addError });
    expect(addError).toHaveBeenCalledTimes(2);
    addError.mockClear();
    validateRemediationPreview(DIGEST, { addError });
    expect(addError).not.toHaveBeenCalled();
  });
});
