import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import type { EstateSummary } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  accountsEstate,
  estateAccountList,
  organizationEstate,
  unreadableOrganizationEstate,
} from '../../__testUtils__/estate';
import { emptyAccountList, scanRuns } from '../../__testUtils__/reports';
import {
  mockCloudTrailEncryptionApi,
  responseError,
} from '../../__testUtils__/testing';
import {
  cloudtrailEncryptionApiRef,
  type CloudTrailEncryptionApi,
} from '../../api';
import { CloudTrailEncryptionPage } from './CloudTrailEncryptionPage';

// Rendering the whole page in jsdom takes seconds on a loaded 2-core runner;
// this bounds a hung test, it does not time the page.
jest.setTimeout(30_000);

function setup(overrides: Partial<CloudTrailEncryptionApi> = {}) {
  return mockCloudTrailEncryptionApi({
    listAccounts: jest.fn().mockResolvedValue(estateAccountList),
    listScanRuns: jest.fn().mockResolvedValue(scanRuns),
    getEstate: jest.fn().mockResolvedValue(organizationEstate),
    ...overrides,
  });
}

async function renderPage(api: CloudTrailEncryptionApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[cloudtrailEncryptionApiRef, api]]}>
      <CloudTrailEncryptionPage />
    </TestApiProvider>,
  );
}

function withEstate(estate: EstateSummary) {
  return setup({ getEstate: jest.fn().mockResolvedValue(estate) });
}

function rowOf(name: string): HTMLElement {
  return screen.getByText(name).closest('tr')!;
}

describe('CloudTrailEncryptionPage and the estate', () => {
  it('says the estate is the AWS Organization, its size and when it was read', async () => {
    const api = setup();
    await renderPage(api);
    const line = await screen.findByTestId('cloudtrail-encryption-estate');
    expect(line).toHaveTextContent(
      'Estate: AWS Organization o-tgdemo12345 (45 accounts, 2 suspended) read',
    );
    expect(
      line.querySelector('time[datetime="2026-11-29T07:58:00Z"]'),
    ).toBeInTheDocument();
    expect(line).toHaveTextContent('through account 111111111111');
    expect(line).toHaveTextContent(
      '1 account outside it trusted for decryption (999999999999)',
    );
    expect(
      screen.getByText(/catalog annotations do not add accounts/),
    ).toBeInTheDocument();
    expect(
      screen.queryByTestId('cloudtrail-encryption-estate-error'),
    ).not.toBeInTheDocument();
    expect(api.getEstate).toHaveBeenCalledTimes(1);
  });

  it('says when the estate is an explicit account list', async () => {
    await renderPage(withEstate(accountsEstate));
    const line = await screen.findByTestId('cloudtrail-encryption-estate');
    expect(line).toHaveTextContent(
      'Estate: explicit account list (3 accounts) read',
    );
    expect(line).not.toHaveTextContent('Organization');
    expect(line).not.toHaveTextContent('suspended');
    expect(
      screen.getByText(/scans only the configured accounts/),
    ).toBeInTheDocument();
  });

  it('shows why the organization could not be read', async () => {
    await renderPage(withEstate(unreadableOrganizationEstate));
    expect(
      await screen.findByTestId('cloudtrail-encryption-estate-error'),
    ).toHaveTextContent(
      "The last read of the organization failed: AccessDeniedException: You don't have permissions to access this resource (organizations:ListAccounts). The accounts from the previous read are still used.",
    );
  });

  it('still lists the fleet when the estate cannot be loaded', async () => {
    await renderPage(
      setup({
        getEstate: jest
          .fn()
          .mockRejectedValue(
            await responseError(403, 'NotAllowedError', 'Forbidden estate'),
          ),
      }),
    );
    expect(await screen.findByText('payments-prod')).toBeInTheDocument();
    expect(
      await screen.findByText(
        /Could not load how the scanned estate is defined/,
      ),
    ).toBeInTheDocument();
  });

  it('shows the estate above the empty state too', async () => {
    await renderPage(
      setup({
        listAccounts: jest.fn().mockResolvedValue(emptyAccountList),
        listScanRuns: jest.fn().mockResolvedValue({ items: [] }),
      }),
    );
    expect(
      await screen.findByText('No accounts scanned yet'),
    ).toBeInTheDocument();
    expect(
      await screen.findByTestId('cloudtrail-encryption-estate'),
    ).toHaveTextContent('AWS Organization o-tgdemo12345');
  });

  it('shows suspended accounts as such, not as failures', async () => {
    await renderPage(setup());
    await screen.findByText('old-marketing');
    const row = rowOf('old-marketing');
    expect(
      within(row).getByText('Suspended — not scanned'),
    ).toBeInTheDocument();
    expect(
      within(row).getByText('100000000005 · Root/Suspended'),
    ).toBeInTheDocument();
    expect(within(row).queryByText('Scan error')).not.toBeInTheDocument();
    expect(within(row).queryByText('Not scanned')).not.toBeInTheDocument();
    expect(within(row).queryByText(/is not scanned/)).not.toBeInTheDocument();
  });

  it('tells a partial scan from a scan error', async () => {
    await renderPage(setup());
    await screen.findByText('analytics-prod');

    const partial = rowOf('analytics-prod');
    expect(within(partial).getByText('Compliant')).toBeInTheDocument();
    expect(within(partial).getByText('Partial scan')).toBeInTheDocument();
    expect(within(partial).queryByText('Scan error')).not.toBeInTheDocument();
    expect(
      within(partial).getByText(
        'Not read: me-central-1 (AccessDenied: explicit deny in a service control policy)',
      ),
    ).toBeInTheDocument();

    const failed = rowOf('data-sandbox');
    expect(within(failed).getByText('Scan error')).toBeInTheDocument();
    expect(within(failed).queryByText('Partial scan')).not.toBeInTheDocument();
  });

  it('explains "Unknown" in the charts with the table\'s words', async () => {
    await renderPage(setup());
    const legend = await screen.findByTestId('status-legend-unknown');
    expect(legend).toHaveTextContent(
      'Unknown: Not scanned, Scan error, Partial scan without a verdict, Suspended — not scanned. A partial scan with a verdict counts under that verdict.',
    );
  });
});
