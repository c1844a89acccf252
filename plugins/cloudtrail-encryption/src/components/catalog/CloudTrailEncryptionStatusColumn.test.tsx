import type { Entity } from '@backstage/catalog-model';
import { Table } from '@backstage/core-components';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import type { AccountSummary } from '@trailguard/plugin-cloudtrail-encryption-common';
import { accountList } from '../../__testUtils__/reports';
import { mockCloudTrailEncryptionApi } from '../../__testUtils__/testing';
import { cloudtrailEncryptionApiRef } from '../../api';
import { CloudTrailEncryptionClient } from '../../api/CloudTrailEncryptionClient';
import { AccountStatusLoader, MAX_LOOKUP_BATCH } from './accountStatusLoader';
import {
  accountIdOfEntity,
  createCloudTrailEncryptionStatusColumn,
} from './CloudTrailEncryptionStatusColumn';

function resource(
  name: string,
  annotations: Record<string, string>,
  kind = 'Resource',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, annotations },
    spec: { type: 'cloud-account', owner: 'group:team' },
  };
}

const payments = resource('aws-payments-prod', {
  'amazonaws.com/account-id': '100000000001',
});
const logArchive = resource('aws-log-archive', {
  // The Roadie annotation counts too.
  'amazon.com/account-id': '222222222222',
});
/** Scanned, but hidden from the user: the backend leaves it out. */
const hidden = resource('aws-hidden', {
  'amazonaws.com/account-id': '100000000042',
});
const component = resource(
  'payments-api',
  { 'amazonaws.com/account-id': '100000000001' },
  'Component',
);
const malformed = resource('aws-typo', {
  'amazonaws.com/account-id': '12345',
});

const summaries: AccountSummary[] = accountList.items.filter(item =>
  ['100000000001', '222222222222'].includes(item.accountId),
);

async function renderTable(
  entities: Entity[],
  lookupAccounts: jest.Mock = jest.fn(async (ids: string[]) =>
    summaries.filter(s => ids.includes(s.accountId)),
  ),
) {
  const api = mockCloudTrailEncryptionApi({ lookupAccounts });
  // Awaited, as everywhere else in this package: the render runs in an
  // async act() scope, which should be closed before a findBy or waitFor
  // starts polling the page.
  const rendered = await renderInTestApp(
    <TestApiProvider apis={[[cloudtrailEncryptionApiRef, api]]}>
      <Table
        title="Catalog"
        options={{ paging: false }}
        columns={[
          { title: 'Name', field: 'entity.metadata.name' },
          createCloudTrailEncryptionStatusColumn(),
        ]}
        data={entities.map(entity => ({ entity }))}
      />
    </TestApiProvider>,
  );
  return { rendered, lookupAccounts };
}

function rowOf(name: string): HTMLElement {
  return screen.getByText(name, { selector: 'td' }).closest('tr')!;
}

describe('createCloudTrailEncryptionStatusColumn', () => {
  it('shows each visible account its status, fetched in one request', async () => {
    const { lookupAccounts } = await renderTable([
      payments,
      logArchive,
      hidden,
      component,
      malformed,
    ]);
    await renderTableReady();

    expect(
      await screen.findByTestId('cloudtrail-encryption-column-100000000001'),
    ).toHaveTextContent('Non-compliant');
    expect(
      screen.getByTestId('cloudtrail-encryption-column-222222222222'),
    ).toHaveTextContent('Compliant');
    // One request for every account row, none for the others.
    expect(lookupAccounts).toHaveBeenCalledTimes(1);
    expect([...lookupAccounts.mock.calls[0][0]].sort()).toEqual([
      '100000000001',
      '100000000042',
      '222222222222',
    ]);
    // Hidden accounts, non-account entities and malformed ids show nothing.
    for (const name of ['aws-hidden', 'payments-api', 'aws-typo']) {
      expect(
        within(rowOf(name)).queryByTestId('cloudtrail-encryption-status'),
      ).toBeNull();
    }
    expect(screen.getAllByText('CloudTrail encryption').length).toBeGreaterThan(
      0,
    );
  });

  it('shows a scan problem beside the verdict', async () => {
    const partial: AccountSummary = {
      ...summaries[1],
      scanStatus: 'partial',
      failedRegions: [{ region: 'eu-west-1', reason: 'AccessDenied' }],
    } as AccountSummary;
    await renderTable(
      [logArchive],
      jest.fn(async () => [partial]),
    );
    const cell = await screen.findByTestId(
      'cloudtrail-encryption-column-222222222222',
    );
    expect(cell).toHaveTextContent('Compliant');
    expect(cell).toHaveTextContent('Partial scan');
  });

  it('shows nothing when the lookup fails', async () => {
    const lookupAccounts = jest.fn(async () => {
      throw new Error('backend down');
    });
    await renderTable([payments], lookupAccounts);
    await waitFor(() => expect(lookupAccounts).toHaveBeenCalledTimes(1));
    expect(screen.queryByTestId('cloudtrail-encryption-status')).toBeNull();
  });
});

async function renderTableReady() {
  await screen.findByText('aws-payments-prod');
}

describe('accountIdOfEntity', () => {
  it('reads AWS account Resources only', () => {
    expect(accountIdOfEntity(payments)).toBe('100000000001');
    expect(accountIdOfEntity(logArchive)).toBe('222222222222');
    expect(accountIdOfEntity(component)).toBeUndefined();
    expect(accountIdOfEntity(malformed)).toBeUndefined();
  });
});

describe('AccountStatusLoader', () => {
  it('batches the ids of one tick, in chunks the backend accepts', async () => {
    const lookupAccounts = jest.fn(async (ids: string[]) =>
      ids.map(id => ({ ...summaries[0], accountId: id } as AccountSummary)),
    );
    const loader = new AccountStatusLoader({ lookupAccounts });
    const ids = Array.from({ length: MAX_LOOKUP_BATCH + 5 }, (_, i) =>
      String(100000000000 + i),
    );
    const results = await Promise.all(ids.map(id => loader.load(id)));
    expect(results.map(r => r?.accountId)).toEqual(ids);
    expect(lookupAccounts).toHaveBeenCalledTimes(2);
    expect(lookupAccounts.mock.calls[0][0]).toHaveLength(MAX_LOOKUP_BATCH);
    expect(lookupAccounts.mock.calls[1][0]).toHaveLength(5);

    // Answers are remembered: asking again costs no request.
    await loader.load(ids[0]);
    expect(lookupAccounts).toHaveBeenCalledTimes(2);
  });

  it('asks again after a failure, and after the answers expire', async () => {
    const lookupAccounts = jest
      .fn()
      .mockRejectedValueOnce(new Error('down'))
      .mockResolvedValue([summaries[0]]);
    const loader = new AccountStatusLoader({ lookupAccounts }, { ttlMs: 0 });
    await expect(loader.load('100000000001')).rejects.toThrow('down');
    await expect(loader.load('100000000001')).resolves.toEqual(summaries[0]);
    await expect(loader.load('100000000001')).resolves.toEqual(summaries[0]);
    expect(lookupAccounts).toHaveBeenCalledTimes(3);
  });
});

describe('CloudTrailEncryptionClient.lookupAccounts', () => {
  it('asks for every distinct id in one GET /accounts', async () => {
    const fetch = jest.fn().mockResolvedValue({
      ok: true,
      status: 200,
      json: async () => ({ items: summaries, totalCount: 2 }),
    });
    const client = new CloudTrailEncryptionClient({
      discoveryApi: {
        getBaseUrl: async () => 'http://backend/api/cloudtrail-encryption',
      },
      fetchApi: { fetch },
    });
    await expect(
      client.lookupAccounts(['100000000001', '222222222222', '100000000001']),
    ).resolves.toEqual(summaries);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backend/api/cloudtrail-encryption/accounts?accountId=100000000001&accountId=222222222222',
    );
    await expect(client.lookupAccounts([])).resolves.toEqual([]);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
