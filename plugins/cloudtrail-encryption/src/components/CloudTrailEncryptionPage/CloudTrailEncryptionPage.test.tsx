import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { act } from '@testing-library/react';
import { testSignals } from '../../__testUtils__/renderCard';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  accountList,
  emptyAccountList,
  scanRuns,
} from '../../__testUtils__/reports';
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
    listAccounts: jest.fn().mockResolvedValue(accountList),
    listScanRuns: jest.fn().mockResolvedValue(scanRuns),
    ...overrides,
  });
}

async function renderPage(api: CloudTrailEncryptionApi, signals?: SignalApi) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [cloudtrailEncryptionApiRef, api],
        ...(signals ? [[signalApiRef, signals] as const] : []),
      ]}
    >
      <CloudTrailEncryptionPage />
    </TestApiProvider>,
  );
}

function lastListRequest(api: ReturnType<typeof setup>) {
  return api.listAccounts.mock.calls.at(-1)?.[0];
}

describe('CloudTrailEncryptionPage', () => {
  it('lists the accounts of the current page', async () => {
    const api = setup();
    await renderPage(api);
    expect(await screen.findByText('payments-prod')).toBeInTheDocument();
    expect(lastListRequest(api)).toEqual({ page: 1, pageSize: 20 });

    const row = screen.getByText('payments-prod').closest('tr')!;
    expect(within(row).getByText('100000000001')).toBeInTheDocument();
    expect(within(row).getByText('Non-compliant')).toBeInTheDocument();
    expect(
      within(row).getByText('KMS_KEY_REGION_MISMATCH'),
    ).toBeInTheDocument();
    expect(within(row).getByText('critical')).toBeInTheDocument();
    expect(
      row.querySelector('time[datetime="2026-11-29T08:00:00Z"]'),
    ).toBeInTheDocument();

    const failed = screen.getByText('data-sandbox').closest('tr')!;
    expect(within(failed).getByText('Scan error')).toBeInTheDocument();
    expect(
      within(failed).getByText(/not authorized to perform sts:AssumeRole/),
    ).toBeInTheDocument();
  });

  it('lists again when a scan run ends, where the app has signals', async () => {
    const api = setup();
    const signals = testSignals();
    await renderPage(api, signals.api);
    await screen.findByText('payments-prod');
    const lists = api.listAccounts.mock.calls.length;
    const trends = api.listScanRuns.mock.calls.length;
    act(() =>
      signals.publish('cloudtrail-encryption:scan-runs', {
        type: 'run-finished',
        runId: 'run-42',
        accountCount: 3,
      }),
    );
    await waitFor(() =>
      expect(api.listAccounts.mock.calls.length).toBe(lists + 1),
    );
    expect(api.listScanRuns.mock.calls.length).toBe(trends + 1);
  });

  it('asks the server for the next page', async () => {
    const api = setup();
    await renderPage(api);
    await screen.findByText('payments-prod');
    await userEvent.click(screen.getByRole('button', { name: 'Next Page' }));
    await waitFor(() =>
      expect(lastListRequest(api)).toEqual({ page: 2, pageSize: 20 }),
    );
  });

  it('filters by status, finding and text', async () => {
    const api = setup();
    await renderPage(api);
    await screen.findByText('payments-prod');

    await userEvent.selectOptions(
      screen.getByLabelText('Status'),
      'non-compliant',
    );
    await waitFor(() =>
      expect(lastListRequest(api)).toEqual({
        page: 1,
        pageSize: 20,
        status: 'non-compliant',
      }),
    );

    await userEvent.selectOptions(
      screen.getByLabelText('Finding'),
      'KMS_KEY_REGION_MISMATCH',
    );
    await waitFor(() =>
      expect(lastListRequest(api)).toEqual({
        page: 1,
        pageSize: 20,
        status: 'non-compliant',
        finding: 'KMS_KEY_REGION_MISMATCH',
      }),
    );

    await userEvent.type(screen.getByLabelText('Search'), 'payments');
    await waitFor(() =>
      expect(lastListRequest(api)).toEqual({
        page: 1,
        pageSize: 20,
        status: 'non-compliant',
        finding: 'KMS_KEY_REGION_MISMATCH',
        q: 'payments',
      }),
    );
    // Typing is debounced into a single request.
    expect(
      api.listAccounts.mock.calls.filter(([request]) => request?.q).length,
    ).toBe(1);
  });

  it('charts the fleet by status', async () => {
    await renderPage(setup());
    const bars = await screen.findByRole('list', {
      name: 'Accounts by status',
    });
    expect(
      within(bars).getByTestId('status-count-compliant'),
    ).toHaveTextContent('Compliant31');
    expect(
      within(bars).getByTestId('status-count-non-compliant'),
    ).toHaveTextContent('Non-compliant7');
    expect(
      within(bars).getByTestId('status-count-no-trails'),
    ).toHaveTextContent('No trails2');
    expect(within(bars).getByTestId('status-count-unknown')).toHaveTextContent(
      'Unknown3',
    );
    expect(screen.getByText('43 accounts in total')).toBeInTheDocument();
  });

  it('charts the trend of scheduled scans, oldest first', async () => {
    await renderPage(setup());
    const chart = await screen.findByRole('img', {
      name: 'Compliant share of accounts over the last 3 scans',
    });
    const runs = Array.from(
      chart.querySelectorAll('[data-testid^="scan-run-"]'),
    ).map(g => g.getAttribute('data-testid'));
    expect(runs).toEqual([
      'scan-run-run-1',
      'scan-run-run-2',
      'scan-run-run-3',
    ]);
    expect(
      within(chart).getByTestId('scan-run-run-3').querySelector('title'),
    ).toHaveTextContent(
      '2026-11-29 08:04:10 UTC — Scheduled: 72% compliant (31 of 43 accounts); this run scanned 43, 3 scan errors',
    );
  });

  it('says when nothing has been scanned yet', async () => {
    await renderPage(
      setup({
        listAccounts: jest.fn().mockResolvedValue(emptyAccountList),
        listScanRuns: jest.fn().mockResolvedValue({ items: [] }),
      }),
    );
    expect(
      await screen.findByText('No accounts scanned yet'),
    ).toBeInTheDocument();
  });

  it('says when no account matches the filters', async () => {
    const api = setup();
    await renderPage(api);
    await screen.findByText('payments-prod');
    api.listAccounts.mockResolvedValue({
      ...emptyAccountList,
      countsByStatus: accountList.countsByStatus,
    });
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'no-trails');
    expect(
      await screen.findByText('No accounts match these filters.'),
    ).toBeInTheDocument();
  });

  it('shows API errors', async () => {
    await renderPage(
      setup({
        listAccounts: jest
          .fn()
          .mockRejectedValue(
            await responseError(403, 'NotAllowedError', 'Unauthorized'),
          ),
      }),
    );
    expect((await screen.findAllByText(/Unauthorized/)).length).toBeGreaterThan(
      0,
    );
  });
});
