import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  AccountListResponse,
  ScanRunListResponse,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useLocation } from 'react-router-dom';
import { accountList, scanRuns } from '../../__testUtils__/reports';
import {
  mockCloudTrailEncryptionApi,
  permissionApi,
} from '../../__testUtils__/testing';
import {
  cloudtrailEncryptionApiRef,
  type CloudTrailEncryptionApi,
} from '../../api';
import { CloudTrailEncryptionPage } from './CloudTrailEncryptionPage';

// Rendering the whole page in jsdom takes seconds on a loaded 2-core runner;
// this bounds a hung test, it does not time the page.
jest.setTimeout(30_000);

const list: AccountListResponse = {
  ...accountList,
  items: accountList.items.map(item =>
    item.accountId === '100000000001'
      ? {
          ...item,
          entityRef: 'resource:default/aws-payments-prod',
          ownerRefs: ['group:default/payments-team'],
          keyRegions: ['eu-west-1'],
          bucketRegions: ['us-east-1'],
        }
      : item,
  ),
};

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.search}</output>;
}

const search = () =>
  new URLSearchParams(screen.getByTestId('location').textContent ?? '');

async function renderPage(
  options: {
    url?: string;
    api?: Partial<CloudTrailEncryptionApi>;
    canScan?: boolean;
  } = {},
) {
  const api = mockCloudTrailEncryptionApi({
    listAccounts: jest.fn().mockResolvedValue(list),
    listScanRuns: jest.fn().mockResolvedValue(scanRuns),
    canTriggerFullScan: jest.fn().mockResolvedValue(options.canScan ?? false),
    ...options.api,
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [cloudtrailEncryptionApiRef, api],
        [permissionApiRef, permissionApi(options.canScan ?? false)],
      ]}
    >
      <CloudTrailEncryptionPage />
      <LocationProbe />
    </TestApiProvider>,
    {
      routeEntries: [options.url ?? '/'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
  await screen.findByText('payments-prod');
  return api;
}

/** The sort control of a column header. */
const sortBy = (title: string) =>
  within(screen.getByRole('columnheader', { name: title })).getAllByRole(
    'button',
  )[0];

const lastListRequest = (api: jest.Mocked<CloudTrailEncryptionApi>) =>
  api.listAccounts.mock.calls.at(-1)?.[0];

describe('the fleet worklist', () => {
  it('opens the view a URL describes', async () => {
    const api = await renderPage({
      url: '/?status=non-compliant&finding=KMS_KEY_REGION_MISMATCH&q=pay&sort=trailCount&order=desc&page=2&pageSize=50',
    });
    expect(lastListRequest(api)).toEqual({
      page: 2,
      pageSize: 50,
      status: 'non-compliant',
      finding: 'KMS_KEY_REGION_MISMATCH',
      q: 'pay',
      sort: 'trailCount',
      order: 'desc',
    });
    expect(screen.getByLabelText('Status')).toHaveValue('non-compliant');
    expect(screen.getByLabelText('Search')).toHaveValue('pay');
  });

  it('ignores values a URL cannot mean', async () => {
    const api = await renderPage({
      url: '/?status=bogus&sort=owner&order=sideways&page=-3&pageSize=7',
    });
    expect(lastListRequest(api)).toEqual({ page: 1, pageSize: 20 });
  });

  it('writes filters into the URL and starts again from the first page', async () => {
    const api = await renderPage({ url: '/?page=3' });
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'unknown');
    await waitFor(() =>
      expect(lastListRequest(api)).toEqual({
        page: 1,
        pageSize: 20,
        status: 'unknown',
      }),
    );
    expect(search().get('status')).toBe('unknown');
    expect(search().get('page')).toBeNull();

    await userEvent.type(screen.getByLabelText('Search'), 'data');
    // Typing is debounced; a loaded machine needs more than the default wait.
    await waitFor(() => expect(search().get('q')).toBe('data'), {
      timeout: 5000,
    });
    expect(lastListRequest(api)).toEqual(
      expect.objectContaining({ status: 'unknown', q: 'data' }),
    );
  });

  it('sorts on the server when a column header is clicked', async () => {
    const api = await renderPage();
    await userEvent.click(sortBy('Trails'));
    await waitFor(() =>
      expect(lastListRequest(api)).toEqual({
        page: 1,
        pageSize: 20,
        sort: 'trailCount',
        order: 'asc',
      }),
    );
    expect(search().toString()).toBe('sort=trailCount&order=asc');

    // Whatever order the server answers in is the order shown, even one
    // the table would sort differently on its own.
    api.listAccounts.mockResolvedValue({
      ...list,
      items: [...list.items].reverse(),
    });
    await userEvent.click(sortBy('Trails'));
    await waitFor(() => expect(search().get('order')).toBe('desc'));
    expect(lastListRequest(api)).toEqual(
      expect.objectContaining({ sort: 'trailCount', order: 'desc' }),
    );
    await waitFor(() =>
      expect(
        within(screen.getAllByRole('rowgroup')[1])
          .getAllByRole('row')
          .map(row => row.querySelector('td p')?.textContent),
      ).toEqual(['data-sandbox', 'log-archive', 'payments-prod']),
    );
  });

  it('links an account to its entity and shows its owners and Regions', async () => {
    await renderPage();
    const row = screen.getByText('payments-prod').closest('tr')!;
    expect(
      within(row).getByRole('link', { name: 'payments-prod' }),
    ).toHaveAttribute('href', '/catalog/default/resource/aws-payments-prod');
    expect(
      within(row).getByRole('link', { name: /payments-team/ }),
    ).toHaveAttribute('href', '/catalog/default/group/payments-team');
    const regions = within(row).getByTestId('trail-regions');
    expect(regions).toHaveTextContent('Key: eu-west-1');
    expect(regions).toHaveTextContent('Bucket: us-east-1');
    expect(regions).toHaveAttribute(
      'title',
      expect.stringMatching(/not in its log bucket/),
    );

    // Without a known entity the name is plain text.
    const other = screen.getByText('log-archive').closest('tr')!;
    expect(within(other).queryByRole('link')).toBeNull();
  });

  it('shows only the rows it has, with no filler rows', async () => {
    await renderPage();
    const body = screen.getAllByRole('rowgroup')[1];
    expect(within(body).getAllByRole('row')).toHaveLength(list.items.length);
  });

  it('exports the current filter and sort as a file', async () => {
    const blob = new Blob(['accountId\r\n']);
    const exportAccounts = jest
      .fn()
      .mockResolvedValue({ blob, filename: 'accounts.csv' });
    const createObjectURL = jest.fn(() => 'blob:fleet');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicks: string[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        clicks.push(`${this.download} ${this.getAttribute('href')}`);
      });
    try {
      await renderPage({
        url: '/?status=non-compliant&sort=name&order=desc&page=2',
        api: { exportAccounts },
      });
      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(clicks).toEqual(['accounts.csv blob:fleet']));
      expect(exportAccounts).toHaveBeenCalledWith('csv', {
        status: 'non-compliant',
        sort: 'name',
        order: 'desc',
      });
      expect(createObjectURL).toHaveBeenCalledWith(blob);
    } finally {
      click.mockRestore();
    }
  });

  it('says when an export fails', async () => {
    await renderPage({
      api: {
        exportAccounts: jest.fn().mockRejectedValue(new Error('Bad Gateway')),
      },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Export failed: Bad Gateway',
    );
  });

  it('offers "Scan all" only to those who may scan every account', async () => {
    await renderPage({ canScan: false });
    expect(screen.queryByRole('button', { name: 'Scan all' })).toBeNull();
  });

  it('scans all accounts and follows the run to its end', async () => {
    const finished = {
      ...scanRuns.items[0],
      id: 'run-new',
      trigger: 'manual' as const,
      requestId: 'req-1',
      finishedAt: '2026-12-02T04:00:00Z',
      plannedCount: 14,
      accountCount: 14,
      errorCount: 1,
    };
    const running = { ...finished, finishedAt: undefined, accountCount: 5 };
    const listScanRuns: jest.Mock = jest.fn(
      async (options?: {
        requestId?: string;
      }): Promise<ScanRunListResponse> => {
        if (!options?.requestId) return scanRuns; // the trend chart
        expect(options.requestId).toBe('req-1');
        return {
          items: [listScanRuns.mock.calls.length <= 3 ? running : finished],
        };
      },
    );
    const triggerFullScan = jest.fn().mockResolvedValue({
      triggered: ['cloudtrail-encryption-scan'],
      requestId: 'req-1',
    });
    const api = await renderPage({
      canScan: true,
      api: { listScanRuns, triggerFullScan },
    });
    const calls = api.listAccounts.mock.calls.length;
    await userEvent.click(
      await screen.findByRole('button', { name: 'Scan all' }),
    );
    expect(triggerFullScan).toHaveBeenCalledTimes(1);
    expect(screen.getByLabelText('Scanning all accounts')).toBeInTheDocument();
    expect(
      await screen.findByText(
        'Scanning: 5 / 14 accounts, 1 failed',
        undefined,
        {
          timeout: 5000,
        },
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Scanned 14 accounts, 1 failed', undefined, {
        timeout: 5000,
      }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('scan-all-outcome')).toHaveTextContent(
      /Compliant: \d+ of \d+ → \d+ of \d+/,
    );
    // The list is reloaded with the fresh results.
    expect(api.listAccounts.mock.calls.length).toBeGreaterThan(calls);
  });
});
