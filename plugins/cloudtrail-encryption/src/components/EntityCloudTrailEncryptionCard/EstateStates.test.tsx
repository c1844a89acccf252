import { screen, waitFor, within } from '@testing-library/react';
import {
  configuredMemberReport,
  organizationMemberReport,
  partialReport,
  suspendedReport,
} from '../../__testUtils__/estate';
import { compliantReport } from '../../__testUtils__/reports';
import { renderCard, withReport } from '../../__testUtils__/renderCard';
import {
  mockCloudTrailEncryptionApi,
  responseError,
} from '../../__testUtils__/testing';

const NOT_IN_ESTATE_MESSAGE =
  'Account 100000000001 is not in the scanned estate: it is neither in organization o-tgdemo12345 nor configured';

describe('EntityCloudTrailEncryptionCard and the estate', () => {
  it('explains an account outside the scanned estate, without Rescan or Remediate', async () => {
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest
        .fn()
        .mockRejectedValue(
          await responseError(404, 'NotInEstateError', NOT_IN_ESTATE_MESSAGE),
        ),
    });
    await renderCard(api);
    const notice = await screen.findByTestId(
      'cloudtrail-encryption-not-in-estate',
    );
    expect(
      within(notice).getByText('Not in the scanned estate'),
    ).toBeInTheDocument();
    expect(
      within(notice).getByText(
        /AWS account 100000000001 is not one of the accounts TrailGuard scans/,
      ),
    ).toHaveTextContent(
      'scans the accounts of the AWS Organization plus the accounts configured for it; a catalog annotation does not add an account',
    );
    expect(within(notice).getByText(NOT_IN_ESTATE_MESSAGE)).toBeInTheDocument();
    expect(screen.queryByText('Not scanned yet')).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Rescan' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Remediate' }),
    ).not.toBeInTheDocument();
    // Not an error: no error panel, no alert.
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('keeps "Not scanned yet" for other 404s', async () => {
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest
        .fn()
        .mockRejectedValue(
          await responseError(404, 'NotFoundError', 'No report yet'),
        ),
    });
    await renderCard(api);
    expect(await screen.findByText('Not scanned yet')).toBeInTheDocument();
    expect(
      screen.queryByText('Not in the scanned estate'),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Rescan' })).toBeInTheDocument();
  });

  it('shows the organization and OU path of a member account', async () => {
    await renderCard(withReport(organizationMemberReport));
    expect(
      await screen.findByTestId('cloudtrail-encryption-membership'),
    ).toHaveTextContent('Organization o-tgdemo12345 · Root/Workloads/Prod');
  });

  it('shows a configured account as outside the organization', async () => {
    await renderCard(withReport(configuredMemberReport));
    expect(
      await screen.findByTestId('cloudtrail-encryption-membership'),
    ).toHaveTextContent('Configured account (not read from AWS Organizations)');
  });

  it('shows no estate line when the report has no membership', async () => {
    await renderCard(withReport(compliantReport));
    await screen.findByTestId('trail-org-trail');
    expect(
      screen.queryByTestId('cloudtrail-encryption-membership'),
    ).not.toBeInTheDocument();
  });

  it('shows a suspended account as not scanned, not as a failure', async () => {
    await renderCard(withReport(suspendedReport));
    expect(
      await screen.findByTestId('cloudtrail-encryption-status'),
    ).toHaveTextContent('Suspended — not scanned');
    expect(
      screen.getByText(/lists this account as suspended/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Account 100000000001 is SUSPENDED in AWS Organizations and is not scanned',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText('Scan error')).not.toBeInTheDocument();
    expect(screen.queryByText('Not scanned yet')).not.toBeInTheDocument();
    expect(
      screen.queryByText(/first scan of this account/),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Remediate' }),
    ).not.toBeInTheDocument();
  });

  it('offers no Remediate on the stale trails of a suspended account', async () => {
    await renderCard(
      withReport({
        ...suspendedReport,
        membership: {
          ...suspendedReport.membership!,
          state: 'PENDING_CLOSURE',
        },
        lastSuccessAt: '2026-10-01T08:00:00Z',
        trails: partialReport.trails.slice(0, 1).map(trail => ({
          ...trail,
          encryption: 'SSE-S3',
          kmsKey: undefined,
        })),
      }),
    );
    expect(await screen.findByTestId('trail-org-trail')).toBeInTheDocument();
    expect(
      screen.getByText(/lists this account as pending closure/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/trails shown are from its last scan/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Remediate' }),
    ).not.toBeInTheDocument();
  });

  it('names the failed Regions of a partial scan and still shows what was read', async () => {
    await renderCard(withReport(partialReport));
    const warning = await screen.findByTestId(
      'cloudtrail-encryption-partial-scan',
    );
    expect(within(warning).getByText('Partial scan')).toBeInTheDocument();
    expect(warning).toHaveTextContent('2 Regions could not be read');
    const regions = within(warning).getByRole('list', {
      name: 'Failed Regions',
    });
    expect(
      within(regions)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual([
      'ap-southeast-3: UnrecognizedClientException: The security token included in the request is invalid',
      'me-central-1: AccessDenied: explicit deny in a service control policy (aws:RequestedRegion)',
    ]);
    expect(warning).toHaveTextContent('One trail could not be described.');

    // The verdict of what was read stands, with the partial scan beside it.
    const chips = screen.getAllByTestId('cloudtrail-encryption-status');
    expect(chips.map(chip => chip.textContent)).toEqual([
      'Compliant',
      'Partial scan',
    ]);
    expect(screen.queryByText('Scan error')).not.toBeInTheDocument();

    const read = screen.getByTestId('trail-org-trail');
    expect(within(read).getByText('SSE-KMS')).toBeInTheDocument();
  });

  it('shows a trail that could not be described without an encryption verdict', async () => {
    await renderCard(withReport(partialReport));
    const trail = await screen.findByTestId('trail-jakarta-trail');
    expect(
      within(trail).getByText('could not be described'),
    ).toBeInTheDocument();
    expect(within(trail).getByText('ap-southeast-3')).toBeInTheDocument();
    expect(
      within(trail).getByText(
        /encryption is unknown: UnrecognizedClientException: The security token/,
      ),
    ).toBeInTheDocument();
    // Its placeholder fields are never presented as facts.
    expect(within(trail).queryByText('SSE-KMS')).not.toBeInTheDocument();
    expect(within(trail).queryByText('SSE-S3')).not.toBeInTheDocument();
    expect(within(trail).queryByText('Key')).not.toBeInTheDocument();
    expect(
      within(trail).queryByRole('button', { name: 'Remediate' }),
    ).not.toBeInTheDocument();
  });

  it('falls back to the error text when a partial scan names no Region', async () => {
    await renderCard(
      withReport({
        ...partialReport,
        failedRegions: undefined,
        error: 'The trail jakarta-trail could not be described',
      }),
    );
    const warning = await screen.findByTestId(
      'cloudtrail-encryption-partial-scan',
    );
    expect(warning).toHaveTextContent(
      'The trail jakarta-trail could not be described.',
    );
    expect(
      within(warning).queryByRole('list', { name: 'Failed Regions' }),
    ).not.toBeInTheDocument();
  });

  it('says "Unknown" with a "Partial scan" badge when nothing could be decided', async () => {
    await renderCard(
      withReport({ ...partialReport, status: 'unknown', trails: [] }),
    );
    await waitFor(() =>
      expect(
        screen
          .getAllByTestId('cloudtrail-encryption-status')
          .map(chip => chip.textContent),
      ).toEqual(['Unknown', 'Partial scan']),
    );
  });
});
