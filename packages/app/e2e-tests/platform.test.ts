import { expect, test, type APIRequestContext } from '@playwright/test';
import {
  BACKEND,
  guestToken,
  resetDemo,
  sandboxAdminHeaders,
  SANDBOX,
  screenshot,
  signInAsGuest,
} from './helpers';

const API = `${BACKEND}/api/cloudtrail-encryption`;
const MCP = `${BACKEND}/api/mcp-actions/v1`;

/** One JSON-RPC call to the MCP endpoint (Streamable HTTP, JSON or SSE answer). */
async function mcpCall(
  request: APIRequestContext,
  token: string,
  id: number,
  method: string,
  params: object,
) {
  const res = await request.post(MCP, {
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json, text/event-stream',
      'Content-Type': 'application/json',
    },
    data: { jsonrpc: '2.0', id, method, params },
  });
  const text = await res.text();
  expect(res.ok(), text).toBe(true);
  const data = text.trimStart().startsWith('{')
    ? text
    : text
        .split('\n')
        .filter(line => line.startsWith('data: '))
        .map(line => line.slice('data: '.length))
        .join('');
  return JSON.parse(data);
}

test.beforeAll(async ({ request }) => {
  // The dev server answers before the backend: wait for the backend.
  await expect
    .poll(
      async () => {
        try {
          return (await request.get(`${API}/health`)).ok();
        } catch {
          return false;
        }
      },
      { timeout: 180_000, intervals: [1000] },
    )
    .toBe(true);
});

test.afterAll(async ({ request }) => {
  await resetDemo(request);
});

test('the MCP endpoint lists the TrailGuard actions', async ({ request }) => {
  const token = await guestToken(request);
  const init = await mcpCall(request, token, 1, 'initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'trailguard-e2e', version: '1.0.0' },
  });
  expect(init.result.serverInfo).toBeDefined();
  const list = await mcpCall(request, token, 2, 'tools/list', {});
  const names: string[] = list.result.tools.map(
    (t: { name: string }) => t.name,
  );
  expect(names).toEqual(
    expect.arrayContaining([
      'cloudtrail-encryption.get-account-report',
      'cloudtrail-encryption.list-accounts',
      'cloudtrail-encryption.explain-trail-readers',
      'cloudtrail-encryption.rescan-account',
    ]),
  );

  // Without a token the endpoint refuses.
  const anonymous = await request.post(MCP, {
    headers: { Accept: 'application/json, text/event-stream' },
    data: { jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} },
  });
  expect(anonymous.status()).toBe(401);
});

test('the guest is notified when an account of their team regresses', async ({
  page,
  request,
}) => {
  await resetDemo(request);
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };

  // An account of the guest's team with its own SSE-KMS trail.
  const list = await (
    await request.get(`${API}/accounts?pageSize=500`, { headers })
  ).json();
  let target:
    | { accountId: string; trailArn: string; trailName: string }
    | undefined;
  for (const item of list.items) {
    if (!item.ownerRefs?.includes('group:default/platform-team')) continue;
    const report = await (
      await request.get(`${API}/accounts/${item.accountId}`, { headers })
    ).json();
    const hasNoKmsFinding = report.findings.some(
      (f: { code: string }) => f.code === 'TRAIL_NOT_KMS_ENCRYPTED',
    );
    const trail = report.trails.find(
      (t: {
        ownerAccountId: string;
        encryption: string;
        isOrganizationTrail: boolean;
      }) =>
        t.ownerAccountId === item.accountId &&
        t.encryption === 'SSE-KMS' &&
        !t.isOrganizationTrail,
    );
    if (trail && !hasNoKmsFinding) {
      target = {
        accountId: item.accountId,
        trailArn: trail.trailArn,
        trailName: trail.name,
      };
      break;
    }
  }
  expect(
    target,
    'a platform-team account with its own SSE-KMS trail',
  ).toBeDefined();
  const { accountId, trailArn } = target!;

  await signInAsGuest(page);
  await page.goto('/notifications');

  // The trail falls back to SSE-S3, and a rescan finds it.
  const mutate = await request.post(`${SANDBOX}/_sandbox/mutate`, {
    headers: sandboxAdminHeaders(),
    data: { op: 'setTrailKey', args: [trailArn] },
  });
  expect(mutate.ok(), await mutate.text()).toBe(true);
  const rescan = await request.post(`${API}/accounts/${accountId}/rescan`, {
    headers,
    data: {},
  });
  expect(rescan.ok(), await rescan.text()).toBe(true);
  expect((await rescan.json()).status).toBe('non-compliant');

  const notification = page.getByText(
    new RegExp(
      `Trail not encrypted with a KMS key on AWS account .*\\(${accountId}\\)`,
    ),
  );
  await expect(async () => {
    await page.reload();
    await expect(notification.first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  await screenshot(page, 'platform-notification-1440');

  // It links to the account's entity page.
  await notification.first().click();
  await expect(page).toHaveURL(/\/catalog\/default\/resource\/aws-/);
});

test('Tech Insights holds TrailGuard facts per account and runs the check', async ({
  request,
}) => {
  const token = await guestToken(request);
  const headers = { Authorization: `Bearer ${token}` };
  const insights = `${BACKEND}/api/tech-insights`;
  const facts = async (name: string) => {
    const res = await request.get(
      `${insights}/facts/latest?entity=resource:default/${name}&ids[]=cloudtrailEncryptionFactRetriever`,
      { headers },
    );
    expect(res.ok()).toBe(true);
    return (await res.json()).cloudtrailEncryptionFactRetriever?.facts;
  };
  const check = async (name: string) => {
    const res = await request.post(
      `${insights}/checks/run/default/resource/${name}`,
      { headers, data: { checks: ['cloudtrailEncryptedWithWorkingKey'] } },
    );
    expect(res.ok()).toBe(true);
    return (await res.json())[0]?.result;
  };
  // The retriever runs every minute in development, after the first scan.
  await expect
    .poll(async () => (await facts('aws-payments-prod'))?.status, {
      timeout: 150_000,
      intervals: [5000],
    })
    .toBe('compliant');
  expect(await check('aws-payments-prod')).toBe(true);
  // identity-prod's logs are readable from outside the organization.
  expect(await facts('aws-identity-prod')).toMatchObject({
    readersOutsideOrganization: 1,
    worstSeverity: 'high',
    status: 'non-compliant',
  });
  expect(await check('aws-identity-prod')).toBe(false);
});
