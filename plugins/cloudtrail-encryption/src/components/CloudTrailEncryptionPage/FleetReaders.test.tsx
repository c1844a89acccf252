import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
import { parseFleetSearch, formatFleetSearch } from './useFleetSearch';
import { CloudTrailEncryptionPage } from './CloudTrailEncryptionPage';

// Rendering the whole page in jsdom takes seconds on a loaded 2-core runner;
// this bounds a hung test, it does not time the page.
jest.setTimeout(30_000);

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.search}</output>;
}

const search = () =>
  new URLSearchParams(screen.getByTestId('location').textContent ?? '');

async function renderPage(url = '/') {
  const api = mockCloudTrailEncryptionApi({
    listAccounts: jest.fn().mockResolvedValue(accountList),
    listScanRuns: jest.fn().mockResolvedValue(scanRuns),
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [cloudtrailEncryptionApiRef, api],
        [permissionApiRef, permissionApi(false)],
      ]}
    >
      <CloudTrailEncryptionPage />
      <LocationProbe />
    </TestApiProvider>,
    {
      routeEntries: [url],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
  await screen.findByText('payments-prod');
  return api;
}

const lastListRequest = (api: jest.Mocked<CloudTrailEncryptionApi>) =>
  api.listAccounts.mock.calls.at(-1)?.[0];

const rowOf = (name: string) => screen.getByText(name).closest('tr')!;

describe('readers on the fleet page', () => {
  it('shows each account’s readers and how many are outside the organization', async () => {
    await renderPage();
    const payments = rowOf('payments-prod');
    expect(within(payments).getByTestId('readers-count')).toHaveTextContent(
      '5',
    );
    expect(
      within(payments).getByTestId('outside-readers-count'),
    ).toHaveTextContent('1 outside org');

    // None outside the organization: nothing to flag.
    const logArchive = rowOf('log-archive');
    expect(within(logArchive).getByTestId('readers-count')).toHaveTextContent(
      '3',
    );
    expect(
      within(logArchive).queryByTestId('outside-readers-count'),
    ).not.toBeInTheDocument();

    // Not scanned: no count at all.
    const sandbox = rowOf('data-sandbox');
    expect(within(sandbox).getByTestId('readers-count')).toHaveTextContent('—');
  });

  it('filters on readers outside the organization and keeps it in the URL', async () => {
    const api = await renderPage('/?page=2');
    const filter = screen.getByRole('checkbox', {
      name: 'Readers outside the organization',
    });
    expect(filter).not.toBeChecked();
    expect(lastListRequest(api)).not.toHaveProperty('outsideReaders', true);

    await userEvent.click(filter);
    await waitFor(() =>
      expect(lastListRequest(api)).toEqual({
        page: 1,
        pageSize: 20,
        outsideReaders: true,
      }),
    );
    expect(search().get('outsideReaders')).toBe('true');
    expect(search().get('page')).toBeNull();

    await userEvent.click(filter);
    await waitFor(() => expect(search().get('outsideReaders')).toBeNull());
    expect(lastListRequest(api)).toEqual({ page: 1, pageSize: 20 });
  });

  it('opens the filtered view a shared link describes', async () => {
    const api = await renderPage('/?outsideReaders=true&status=compliant');
    expect(lastListRequest(api)).toEqual({
      page: 1,
      pageSize: 20,
      status: 'compliant',
      outsideReaders: true,
    });
    expect(
      screen.getByRole('checkbox', {
        name: 'Readers outside the organization',
      }),
    ).toBeChecked();
  });

  it('reads only `true` as the filter and writes nothing when it is off', () => {
    for (const value of ['1', 'yes', 'TRUE', '']) {
      expect(
        parseFleetSearch(new URLSearchParams({ outsideReaders: value }))
          .outsideReaders,
      ).toBe(false);
    }
    const on = parseFleetSearch(new URLSearchParams('outsideReaders=true'));
    expect(formatFleetSearch(on).toString()).toBe('outsideReaders=true');
    expect(formatFleetSearch({ ...on, outsideReaders: false }).toString()).toBe(
      '',
    );
  });
});
