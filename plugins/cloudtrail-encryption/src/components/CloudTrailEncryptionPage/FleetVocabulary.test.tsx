import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AccountListResponse } from '@trailguard/plugin-cloudtrail-encryption-common';
import { accountList, scanRuns } from '../../__testUtils__/reports';
import { mockCloudTrailEncryptionApi } from '../../__testUtils__/testing';
import { cloudtrailEncryptionApiRef } from '../../api';
import { CloudTrailEncryptionPage } from './CloudTrailEncryptionPage';

// Rendering the whole page in jsdom takes seconds on a loaded 2-core runner;
// this bounds a hung test, it does not time the page.
jest.setTimeout(30_000);

const list: AccountListResponse = {
  ...accountList,
  items: accountList.items.map(item =>
    item.accountName === 'log-archive'
      ? {
          ...item,
          worstFinding: { code: 'KEY_ROTATION_DISABLED', severity: 'low' },
          findingCodes: ['KEY_ROTATION_DISABLED'],
        }
      : item,
  ),
};

async function renderPage() {
  const api = mockCloudTrailEncryptionApi({
    listAccounts: jest.fn().mockResolvedValue(list),
    listScanRuns: jest.fn().mockResolvedValue(scanRuns),
  });
  await renderInTestApp(
    <TestApiProvider apis={[[cloudtrailEncryptionApiRef, api]]}>
      <CloudTrailEncryptionPage />
    </TestApiProvider>,
  );
  await screen.findByText('payments-prod');
}

const rowOf = (name: string) => screen.getByText(name).closest('tr')!;

describe('the fleet page vocabulary', () => {
  it('shows the worst finding by title and code', async () => {
    await renderPage();
    const row = rowOf('payments-prod');
    expect(
      within(row).getByText('KMS key and bucket in different Regions'),
    ).toBeInTheDocument();
    // The code stands next to the title (linked once cloudtrailEncryption.docsUrl is set).
    expect(
      within(row).getByText('KMS_KEY_REGION_MISMATCH'),
    ).toBeInTheDocument();
  });

  it('reads "Title (CODE)" in the finding filter', async () => {
    await renderPage();
    const filter = screen.getByLabelText('Finding');
    expect(
      within(filter).getByRole('option', {
        name: 'KMS key and bucket in different Regions (KMS_KEY_REGION_MISMATCH)',
      }),
    ).toHaveValue('KMS_KEY_REGION_MISMATCH');
  });

  it('uses the chart\'s "Unknown" and the card\'s scan badge for a failed scan', async () => {
    await renderPage();
    const bars = screen.getByRole('list', { name: 'Accounts by status' });
    expect(within(bars).getByText('Unknown')).toBeInTheDocument();
    const failed = rowOf('data-sandbox');
    expect(within(failed).getByText('Unknown')).toBeInTheDocument();
    expect(within(failed).getByText('Scan error')).toBeInTheDocument();
  });

  it('explains, on hover, why a compliant account with a low finding is compliant', async () => {
    await renderPage();
    const row = rowOf('log-archive');
    const status = within(row).getByLabelText(
      /^Compliant despite low findings/,
    );
    await userEvent.hover(status);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'only critical and high findings block compliance',
    );
    // No hint where a finding does block.
    expect(
      within(rowOf('payments-prod')).queryByLabelText(/Compliant despite/),
    ).not.toBeInTheDocument();
  });
});
