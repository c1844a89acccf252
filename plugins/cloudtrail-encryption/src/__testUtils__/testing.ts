import { ResponseError } from '@backstage/errors';
import type { PermissionApi } from '@backstage/plugin-permission-react';
import type { CloudTrailEncryptionApi } from '../api';

/** A ResponseError as the client would throw it for a Backstage error body. */
export function responseError(
  status: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  const body = JSON.stringify({
    error: { name, message },
    request: { method: 'GET', url: '/api/cloudtrail-encryption' },
    response: { statusCode: status },
  });
  const headers = new Map([['content-type', 'application/json']]);
  return ResponseError.fromResponse({
    ok: false,
    status,
    statusText: name,
    redirected: false,
    type: 'basic',
    url: 'http://localhost:7007/api/cloudtrail-encryption',
    headers: {
      get: (key: string) => headers.get(key.toLowerCase()) ?? null,
      has: (key: string) => headers.has(key.toLowerCase()),
    },
    text: async () => body,
  } as unknown as Parameters<typeof ResponseError.fromResponse>[0]);
}

export function mockCloudTrailEncryptionApi(
  overrides: Partial<CloudTrailEncryptionApi> = {},
): jest.Mocked<CloudTrailEncryptionApi> {
  return {
    listAccounts: jest.fn(),
    getAccountReport: jest.fn(),
    getEntityReport: jest.fn(),
    rescanAccount: jest.fn(),
    listScanRuns: jest.fn(),
    canTriggerFullScan: jest.fn().mockResolvedValue(false),
    // A page that does not care about the estate still asks for it.
    getEstate: jest.fn(() => new Promise(() => {})),
    ...overrides,
  } as jest.Mocked<CloudTrailEncryptionApi>;
}

type Decision = Awaited<ReturnType<PermissionApi['authorize']>>;

/**
 * A permission API answering every request the same way. The cast spares a
 * dependency on permission-common just for its `AuthorizeResult` enum, whose
 * values are these strings.
 */
export function permissionApi(allowed: boolean): PermissionApi {
  return {
    authorize: async () =>
      ({ result: allowed ? 'ALLOW' : 'DENY' } as unknown as Decision),
  };
}
