import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  accountEntity,
  compliantReport,
  publicDecryptReport,
  regionMismatchReport,
  scanErrorReport,
  sseS3Report,
} from '../../__testUtils__/reports';
import {
  formDataOf,
  renderCard,
  withReport,
} from '../../__testUtils__/renderCard';
import {
  mockCloudTrailEncryptionApi,
  responseError,
} from '../../__testUtils__/testing';

// Rendering the whole page in jsdom takes seconds on a loaded 2-core runner;
// this bounds a hung test, it does not time the page.
jest.setTimeout(30_000);

describe('EntityCloudTrailEncryptionCard', () => {
  it('shows progress while the report loads', async () => {
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest.fn(() => new Promise<AccountReport>(() => {})),
    });
    await renderCard(api);
    expect(
      screen.getByTestId('cloudtrail-encryption-card'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('explains the missing annotation without calling the backend', async () => {
    const api = withReport(compliantReport);
    await renderCard(api, {
      entity: {
        ...accountEntity,
        metadata: { name: 'aws-unknown', annotations: {} },
      },
    });
    expect(screen.getByText('amazonaws.com/account-id')).toBeInTheDocument();
    expect(api.getEntityReport).not.toHaveBeenCalled();
  });

  it('accepts the Roadie annotation', async () => {
    const api = withReport(compliantReport);
    await renderCard(api, {
      entity: {
        ...accountEntity,
        metadata: {
          name: 'aws-payments-prod',
          annotations: { 'amazon.com/account-id': '100000000001' },
        },
      },
    });
    expect(await screen.findByText('Compliant')).toBeInTheDocument();
    expect(api.getEntityReport).toHaveBeenCalledWith({
      kind: 'Resource',
      namespace: 'default',
      name: 'aws-payments-prod',
    });
  });

  it('says when the account has not been scanned yet', async () => {
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest
        .fn()
        .mockRejectedValue(
          await responseError(404, 'NotFoundError', 'No report for account'),
        ),
    });
    await renderCard(api);
    expect(await screen.findByText('Not scanned yet')).toBeInTheDocument();
    expect(
      screen.getByText(/100000000001 has not been scanned/),
    ).toBeInTheDocument();
  });

  it('shows other API errors', async () => {
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest
        .fn()
        .mockRejectedValue(
          await responseError(500, 'Error', 'database unavailable'),
        ),
    });
    await renderCard(api);
    expect(
      (await screen.findAllByText(/database unavailable/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText('Not scanned yet')).not.toBeInTheDocument();
  });

  it('renders a compliant account', async () => {
    await renderCard(withReport(compliantReport));
    const trail = await screen.findByTestId('trail-org-trail');
    expect(screen.getByText('Compliant')).toBeInTheDocument();
    expect(within(trail).getByText('SSE-KMS')).toBeInTheDocument();
    expect(within(trail).getByText('multi-Region')).toBeInTheDocument();
    expect(within(trail).getByText('organization')).toBeInTheDocument();
    expect(within(trail).getByText('Key Region')).toBeInTheDocument();
    expect(within(trail).getByText('Bucket Region')).toBeInTheDocument();
    expect(
      within(trail).queryByText('Region mismatch'),
    ).not.toBeInTheDocument();

    const keyLink = within(trail).getByRole('link', {
      name: 'alias/cloudtrail-org',
    });
    expect(keyLink).toHaveAttribute(
      'href',
      'https://us-east-1.console.aws.amazon.com/kms/home?region=us-east-1#/kms/keys/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    expect(
      within(trail).getByText(
        'Any IAM principal in account 222222222222 allowed by its IAM policies',
      ),
    ).toBeInTheDocument();
    expect(
      within(trail).getByText('Role SecurityAuditor in account 222222222222'),
    ).toBeInTheDocument();
    expect(within(trail).getAllByText('cross-account')).toHaveLength(2);
    // Compliant trails need no fixing.
    expect(
      screen.queryByRole('button', { name: 'Remediate' }),
    ).not.toBeInTheDocument();
    expect(screen.getByText('No findings.')).toBeInTheDocument();
  });

  it('shows decrypt conditions on hover', async () => {
    await renderCard(withReport(compliantReport));
    await userEvent.hover(await screen.findByText('with 1 condition'));
    expect(
      await screen.findByText(
        'StringLike kms:EncryptionContext:aws:cloudtrail:arn: arn:aws:cloudtrail:*:111111111111:trail/*',
      ),
    ).toBeInTheDocument();
  });

  it('shows the exact scan time on hover', async () => {
    await renderCard(withReport(compliantReport));
    const time = (await screen.findByText(/Last scanned/)).querySelector(
      'time',
    )!;
    expect(time).toHaveAttribute('dateTime', '2026-11-29T08:00:00Z');
    await userEvent.hover(time);
    expect(
      await screen.findByText('2026-11-29 08:00:00 UTC'),
    ).toBeInTheDocument();
  });

  it('flags a key in another Region than the bucket', async () => {
    await renderCard(withReport(regionMismatchReport));
    const trail = await screen.findByTestId('trail-payments-trail');
    expect(screen.getByText('Non-compliant')).toBeInTheDocument();
    expect(within(trail).getByText('Region mismatch')).toBeInTheDocument();
    expect(within(trail).getByText('us-east-1')).toBeInTheDocument();
    expect(within(trail).getAllByText(/eu-west-1/).length).toBeGreaterThan(0);
    const cloudTrailMay = within(trail).getByText('CloudTrail may')
      .nextElementSibling as HTMLElement;
    expect(
      within(cloudTrailMay).getByRole('img', { name: 'no' }),
    ).toBeInTheDocument();
    expect(
      within(cloudTrailMay).getByRole('img', { name: 'yes' }),
    ).toBeInTheDocument();
    expect(
      within(trail).getByText(/InsufficientEncryptionPolicyException/),
    ).toBeInTheDocument();
    expect(
      within(trail).getByText('Any principal in organization o-tgdemo12345'),
    ).toBeInTheDocument();
    expect(within(trail).getByText('Role LogProcessor')).toBeInTheDocument();
    expect(within(trail).getByText('via grant')).toBeInTheDocument();
    // The key has no alias, so it is shown by id.
    expect(
      within(trail).getByRole('link', { name: 'mrk-5f1c0e2d9a8b4c7d' }),
    ).toHaveAttribute(
      'href',
      'https://us-east-1.console.aws.amazon.com/kms/home?region=us-east-1#/kms/keys/mrk-5f1c0e2d9a8b4c7d',
    );
  });

  it('sorts findings by severity and expands their remediation', async () => {
    await renderCard(withReport(regionMismatchReport));
    const findings = await screen.findByRole('list', { name: 'Findings' });
    const codes = Array.from(
      findings.querySelectorAll('[data-finding-code]'),
    ).map(item => item.getAttribute('data-finding-code'));
    expect(codes).toEqual([
      'KMS_KEY_REGION_MISMATCH',
      'CLOUDTRAIL_CANNOT_ENCRYPT',
      'KEY_ROTATION_DISABLED',
    ]);
    expect(within(findings).getByText('critical')).toBeInTheDocument();
    expect(
      screen.queryByText(/Create a KMS key in eu-west-1/),
    ).not.toBeInTheDocument();
    await userEvent.click(
      within(findings).getAllByRole('button', { name: 'How to fix' })[0],
    );
    expect(
      screen.getByText(/Create a KMS key in eu-west-1/),
    ).toBeInTheDocument();
  });

  it('renders an SSE-S3 trail', async () => {
    await renderCard(withReport(sseS3Report));
    const trail = await screen.findByTestId('trail-search-trail');
    expect(within(trail).getByText('SSE-S3')).toBeInTheDocument();
    expect(within(trail).queryByText('SSE-KMS')).not.toBeInTheDocument();
    expect(within(trail).queryByText('Key Region')).not.toBeInTheDocument();
    expect(within(trail).getByText('Bucket Region')).toBeInTheDocument();
    expect(
      formDataOf(within(trail).getByRole('button', { name: 'Remediate' })),
    ).toEqual({
      accountEntity: 'resource:default/aws-payments-prod',
      accountId: '100000000002',
      trailArn: 'arn:aws:cloudtrail:us-west-2:100000000002:trail/search-trail',
      trailName: 'search-trail',
      trailRegion: 'us-west-2',
      bucketName: 'search-dev-cloudtrail',
      bucketRegion: 'us-west-2',
      keyMode: 'create',
    });
  });

  it('keeps the last good trails when the last scan failed', async () => {
    await renderCard(withReport(scanErrorReport));
    expect(await screen.findByTestId('trail-org-trail')).toBeInTheDocument();
    expect(screen.getByText('Compliant')).toBeInTheDocument();
    expect(screen.getByText('Scan error')).toBeInTheDocument();
    expect(
      screen.getByText(/not authorized to perform: cloudtrail:DescribeTrails/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/trails shown are from the last successful scan/),
    ).toBeInTheDocument();
    expect(
      document.querySelector('time[datetime="2026-11-28T08:00:00Z"]'),
    ).toBeInTheDocument();
  });

  it('shows a scan error as the verdict when there never was a good scan', async () => {
    await renderCard(
      withReport({
        ...scanErrorReport,
        lastSuccessAt: undefined,
        status: 'unknown',
        trails: [],
        findings: [],
      }),
    );
    expect(await screen.findByText('Scan error')).toBeInTheDocument();
    expect(
      screen.getByText(/never been scanned successfully/),
    ).toBeInTheDocument();
  });

  it('shows a public decrypt principal in red', async () => {
    await renderCard(withReport(publicDecryptReport));
    const principal = await screen.findByText('Any AWS principal (public)');
    expect(principal).toHaveAttribute('data-public', 'true');
    // palette.error.main of the test theme
    expect(principal).toHaveStyle({ color: 'rgb(244, 67, 54)' });
    expect(
      screen.getByText('Any AWS principal may decrypt the logs of org-trail.'),
    ).toBeInTheDocument();
  });
});
