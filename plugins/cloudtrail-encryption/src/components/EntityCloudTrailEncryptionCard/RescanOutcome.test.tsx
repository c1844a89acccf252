import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  compliantReport,
  regionMismatchReport,
  scanErrorReport,
} from '../../__testUtils__/reports';
import { renderCard } from '../../__testUtils__/renderCard';
import { mockCloudTrailEncryptionApi } from '../../__testUtils__/testing';

async function clickRescan() {
  const button = await screen.findByRole('button', { name: 'Rescan' });
  await waitFor(() => expect(button).toBeEnabled());
  await userEvent.click(button);
  return button;
}

describe('EntityCloudTrailEncryptionCard rescan feedback', () => {
  it('shows progress, then what changed, until dismissed', async () => {
    let finish: (report: AccountReport) => void = () => {};
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest.fn().mockResolvedValue(regionMismatchReport),
      rescanAccount: jest.fn(
        () => new Promise<AccountReport>(resolve => (finish = resolve)),
      ),
    });
    await renderCard(api);
    await screen.findByTestId('trail-payments-trail');
    const button = await clickRescan();

    const progress = screen.getByTestId(
      'cloudtrail-encryption-rescan-progress',
    );
    expect(progress).toHaveTextContent(
      /^Rescanning account 100000000001… started \d+ s ago/,
    );
    expect(
      within(progress).getByRole('progressbar', { name: 'Rescan in progress' }),
    ).toBeInTheDocument();
    expect(button).toBeDisabled();

    finish(compliantReport);
    const outcome = await screen.findByTestId(
      'cloudtrail-encryption-rescan-outcome',
    );
    expect(
      screen.queryByTestId('cloudtrail-encryption-rescan-progress'),
    ).not.toBeInTheDocument();
    expect(outcome).toHaveTextContent(
      'Rescan of account 100000000001 finished',
    );
    expect(outcome).toHaveTextContent('Status: Non-compliant → Compliant');
    expect(outcome).toHaveTextContent('Resolved (3):');
    expect(outcome).toHaveTextContent(
      'KMS key and bucket in different Regions (KMS_KEY_REGION_MISMATCH) on payments-trail',
    );
    expect(outcome).toHaveTextContent('Trails added: org-trail');
    expect(outcome).toHaveTextContent('Trails removed: payments-trail');
    expect(outcome).toHaveTextContent('0 findings remain.');
    expect(outcome).not.toHaveTextContent('New (');

    // It stays until dismissed.
    await new Promise(r => setTimeout(r, 1100));
    expect(outcome).toBeInTheDocument();
    await userEvent.click(
      within(outcome).getByRole('button', { name: 'Close' }),
    );
    expect(
      screen.queryByTestId('cloudtrail-encryption-rescan-outcome'),
    ).not.toBeInTheDocument();
  });

  it('says "No change" when the same findings remain', async () => {
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest.fn().mockResolvedValue(regionMismatchReport),
      rescanAccount: jest.fn().mockResolvedValue({
        ...regionMismatchReport,
        scannedAt: '2026-12-04T05:00:00Z',
      }),
    });
    await renderCard(api);
    await clickRescan();
    const outcome = await screen.findByTestId(
      'cloudtrail-encryption-rescan-outcome',
    );
    expect(outcome).toHaveTextContent(
      `No change: ${regionMismatchReport.findings.length} findings remain.`,
    );
  });

  it('names the reason when the scan itself failed', async () => {
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest.fn().mockResolvedValue(compliantReport),
      rescanAccount: jest.fn().mockResolvedValue(scanErrorReport),
    });
    await renderCard(api);
    await clickRescan();
    const outcome = await screen.findByTestId(
      'cloudtrail-encryption-rescan-outcome',
    );
    expect(outcome).toHaveTextContent('Rescan of account 100000000001 failed');
    expect(outcome).toHaveTextContent(
      'is not authorized to perform: cloudtrail:DescribeTrails. The last good report is kept.',
    );
  });
});
