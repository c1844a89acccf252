import { ResponseError } from '@backstage/errors';
import { organizationEstate } from '../__testUtils__/estate';
import { compliantReport, scanRuns } from '../__testUtils__/reports';
import { CloudTrailEncryptionClient } from './CloudTrailEncryptionClient';
import { isNotInEstateError } from './errors';

const BASE_URL = 'http://localhost:7007/api/cloudtrail-encryption';

function jsonResponse(status: number, body: unknown) {
  const text = JSON.stringify(body);
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: status === 200 ? 'OK' : 'Error',
    redirected: false,
    type: 'basic',
    url: BASE_URL,
    headers: {
      get: (name: string) =>
        name.toLowerCase() === 'content-type' ? 'application/json' : null,
    },
    json: async () => JSON.parse(text),
    text: async () => text,
  };
}

function setup(response = jsonResponse(200, compliantReport)) {
  const fetch = jest.fn().mockResolvedValue(response);
  const getBaseUrl = jest.fn().mockResolvedValue(BASE_URL);
  const client = new CloudTrailEncryptionClient({
    discoveryApi: { getBaseUrl },
    fetchApi: { fetch },
  });
  return { client, fetch, getBaseUrl };
}

describe('CloudTrailEncryptionClient', () => {
  it('lists accounts with filters and paging', async () => {
    const { client, fetch, getBaseUrl } = setup();
    await client.listAccounts({
      page: 2,
      pageSize: 50,
      status: 'non-compliant',
      finding: 'KMS_KEY_REGION_MISMATCH',
      q: ' payments & co ',
    });
    expect(getBaseUrl).toHaveBeenCalledWith('cloudtrail-encryption');
    expect(fetch).toHaveBeenCalledWith(
      `${BASE_URL}/accounts?page=2&pageSize=50&status=non-compliant&finding=KMS_KEY_REGION_MISMATCH&q=payments+%26+co`,
      expect.objectContaining({ method: 'GET' }),
    );
  });

  it('asks for a sort and its direction', async () => {
    const { client, fetch } = setup();
    await client.listAccounts({ sort: 'trailCount', order: 'desc' });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE_URL}/accounts?sort=trailCount&order=desc`,
    );
  });

  it('asks for accounts with readers outside the organization, in lists and exports', async () => {
    const { client, fetch } = setup();
    await client.listAccounts({ outsideReaders: true, status: 'compliant' });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE_URL}/accounts?status=compliant&outsideReaders=true`,
    );
    await client.listAccounts({ outsideReaders: false });
    expect(fetch.mock.calls[1][0]).toBe(`${BASE_URL}/accounts`);
    fetch.mockResolvedValueOnce({
      ...jsonResponse(200, {}),
      blob: async () => ({ size: 0 }),
    });
    await client.exportAccounts('json', { outsideReaders: true });
    expect(fetch.mock.calls[2][0]).toBe(
      `${BASE_URL}/accounts/export?format=json&outsideReaders=true`,
    );
  });

  it('downloads an export of the current filter, named by the server', async () => {
    const blob = { size: 3 };
    const { client, fetch } = setup({
      ...jsonResponse(200, {}),
      headers: {
        get: (name: string) =>
          name.toLowerCase() === 'content-disposition'
            ? 'attachment; filename="cloudtrail-encryption-accounts-2026-12-02.csv"'
            : null,
      },
      blob: async () => blob,
    } as any);
    await expect(
      client.exportAccounts('csv', {
        status: 'non-compliant',
        q: 'pay',
        sort: 'name',
        order: 'asc',
      }),
    ).resolves.toEqual({
      blob,
      filename: 'cloudtrail-encryption-accounts-2026-12-02.csv',
    });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE_URL}/accounts/export?format=csv&status=non-compliant&q=pay&sort=name&order=asc`,
    );
  });

  it('rejects a failed export with the server message', async () => {
    const { client } = setup(
      jsonResponse(400, {
        error: { name: 'InputError', message: 'Invalid query: format' },
        request: { method: 'GET', url: '/accounts/export' },
        response: { statusCode: 400 },
      }),
    );
    await expect(client.exportAccounts('json')).rejects.toMatchObject({
      statusCode: 400,
      cause: expect.objectContaining({ message: 'Invalid query: format' }),
    });
  });

  it('triggers a full scan', async () => {
    const { client, fetch } = setup(jsonResponse(202, { triggered: true }));
    await expect(client.triggerFullScan()).resolves.toEqual({
      triggered: true,
    });
    expect(fetch).toHaveBeenCalledWith(
      `${BASE_URL}/scans`,
      expect.objectContaining({ method: 'POST' }),
    );
  });

  it('leaves out filters that are not set', async () => {
    const { client, fetch } = setup();
    await client.listAccounts({ q: '   ' });
    expect(fetch.mock.calls[0][0]).toBe(`${BASE_URL}/accounts`);
  });

  it('encodes path parts', async () => {
    const { client, fetch } = setup();
    await client.getAccountReport('1111/../x');
    expect(fetch.mock.calls[0][0]).toBe(`${BASE_URL}/accounts/1111%2F..%2Fx`);

    await client.getEntityReport({
      namespace: 'team a',
      kind: 'Resource',
      name: 'aws#prod?x',
    });
    expect(fetch.mock.calls[1][0]).toBe(
      `${BASE_URL}/entity/team%20a/Resource/aws%23prod%3Fx`,
    );
  });

  it('returns the report', async () => {
    const { client } = setup();
    await expect(client.getAccountReport('100000000001')).resolves.toEqual(
      compliantReport,
    );
  });

  it('posts rescans', async () => {
    const { client, fetch } = setup();
    await expect(client.rescanAccount('100000000001')).resolves.toEqual(
      compliantReport,
    );
    expect(fetch).toHaveBeenCalledWith(
      `${BASE_URL}/accounts/100000000001/rescan`,
      expect.objectContaining({ method: 'POST' }),
    );
  });

  it('lists scan runs', async () => {
    const { client, fetch } = setup(jsonResponse(200, scanRuns));
    await expect(client.listScanRuns({ limit: 20 })).resolves.toEqual(scanRuns);
    expect(fetch.mock.calls[0][0]).toBe(`${BASE_URL}/scans?limit=20`);
  });

  it('lists the runs of one on-demand scan', async () => {
    const { client, fetch } = setup(jsonResponse(200, scanRuns));
    await client.listScanRuns({ limit: 50, requestId: 'req-1' });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE_URL}/scans?limit=50&requestId=req-1`,
    );
  });

  it('asks the backend whether a full scan may be started', async () => {
    const { client, fetch } = setup(
      jsonResponse(200, { triggerFullScan: true }),
    );
    await expect(client.canTriggerFullScan()).resolves.toBe(true);
    expect(fetch.mock.calls[0][0]).toBe(`${BASE_URL}/scans/permissions`);
  });

  it('reads the estate', async () => {
    const { client, fetch } = setup(jsonResponse(200, organizationEstate));
    await expect(client.getEstate()).resolves.toEqual(organizationEstate);
    expect(fetch).toHaveBeenCalledWith(
      `${BASE_URL}/estate`,
      expect.objectContaining({ method: 'GET' }),
    );
  });

  it('tells an account outside the estate from a missing report', async () => {
    const outside = await setup(
      jsonResponse(404, {
        error: {
          name: 'NotInEstateError',
          message:
            'Account 100000000099 is not in the scanned estate: not in o-tgdemo12345',
        },
        response: { statusCode: 404 },
      }),
    )
      .client.getEntityReport({
        namespace: 'default',
        kind: 'Resource',
        name: 'aws-stray',
      })
      .catch(e => e);
    expect(isNotInEstateError(outside)).toBe(true);
    expect(outside.cause.message).toMatch(/not in the scanned estate/);

    const missing = await setup(
      jsonResponse(404, {
        error: { name: 'NotFoundError', message: 'No report yet' },
        response: { statusCode: 404 },
      }),
    )
      .client.getEntityReport({
        namespace: 'default',
        kind: 'Resource',
        name: 'aws-new',
      })
      .catch(e => e);
    expect(ResponseError.is(missing)).toBe(true);
    expect(isNotInEstateError(missing)).toBe(false);
    expect(isNotInEstateError(new Error('NotInEstateError'))).toBe(false);
  });

  it('turns error bodies into ResponseErrors', async () => {
    const { client } = setup(
      jsonResponse(404, {
        error: { name: 'NotFoundError', message: 'No report for 100000000001' },
        request: { method: 'GET', url: '/accounts/100000000001' },
        response: { statusCode: 404 },
      }),
    );
    const error = await client.getAccountReport('100000000001').catch(e => e);
    expect(ResponseError.is(error)).toBe(true);
    expect(error.statusCode).toBe(404);
    expect(error.cause.name).toBe('NotFoundError');
    expect(error.cause.message).toBe('No report for 100000000001');
  });

  it('rejects forbidden rescans', async () => {
    const { client } = setup(
      jsonResponse(403, {
        error: { name: 'NotAllowedError', message: 'Unauthorized' },
        response: { statusCode: 403 },
      }),
    );
    await expect(client.rescanAccount('100000000001')).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
    });
  });
});
