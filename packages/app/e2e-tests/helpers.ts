import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const BACKEND = process.env.BACKEND_URL ?? 'http://localhost:7007';
export const SANDBOX = process.env.SANDBOX_URL ?? 'http://127.0.0.1:4599';

const screenshots = resolve(__dirname, '../../../e2e-screenshots');

/** Where `yarn start` (app-config.development.yaml) writes the sandbox's admin token. */
const SANDBOX_TOKEN_FILE =
  process.env.SANDBOX_TOKEN_FILE ??
  resolve(
    __dirname,
    '../../../node_modules/.cache/trailguard-sandbox/admin-token',
  );

/** Headers for the sandbox's admin API; its token changes at every start. */
export function sandboxAdminHeaders(): Record<string, string> {
  const token =
    process.env.SANDBOX_TOKEN ??
    readFileSync(SANDBOX_TOKEN_FILE, 'utf8').trim();
  return { authorization: `Bearer ${token}` };
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({
    path: resolve(screenshots, `${name}.png`),
    fullPage: true,
  });
}

export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

export async function guestToken(request: APIRequestContext): Promise<string> {
  const res = await request.post(`${BACKEND}/api/auth/guest/refresh`);
  expect(res.ok()).toBe(true);
  return (await res.json()).backstageIdentity.token;
}

/**
 * Puts the sandbox back to the demo organization and rescans everything, so
 * the tests see the demo state even against a long-running `yarn start`.
 */
export async function resetDemo(request: APIRequestContext) {
  // The dev server answers before the backend: wait for the backend too.
  await expect
    .poll(
      async () => {
        try {
          const res = await request.get(
            `${BACKEND}/api/cloudtrail-encryption/health`,
          );
          return res.ok();
        } catch {
          return false;
        }
      },
      { timeout: 180_000, intervals: [1000] },
    )
    .toBe(true);
  const token = await guestToken(request);
  const headers = { Authorization: `Bearer ${token}` };
  const reset = await request.post(`${SANDBOX}/_sandbox/scenario`, {
    headers: sandboxAdminHeaders(),
    data: { name: 'demo' },
  });
  expect(reset.ok()).toBe(true);
  // A scan already under way (the one scheduled at start-up, say) may have
  // read the sandbox before the reset: the scheduler refuses to trigger a
  // running task, so keep asking until a fresh full scan is really started.
  let triggeredAt = 0;
  await expect
    .poll(
      async () => {
        triggeredAt = Date.now();
        const trigger = await request.post(
          `${BACKEND}/api/cloudtrail-encryption/scans`,
          { headers },
        );
        expect(trigger.status()).toBe(202);
        return ((await trigger.json()).triggered as string[]).length;
      },
      { timeout: 120_000, intervals: [1000] },
    )
    .toBeGreaterThan(0);
  await expect
    .poll(
      async () => {
        const runs: Array<{
          startedAt: string;
          finishedAt?: string;
          accountCount: number;
        }> = (
          await (
            await request.get(
              `${BACKEND}/api/cloudtrail-encryption/scans?limit=200`,
              { headers },
            )
          ).json()
        ).items;
        // Clocks are the same machine's; allow for the run's own start.
        return runs.some(
          run =>
            Date.parse(run.startedAt) >= triggeredAt - 1000 &&
            !!run.finishedAt &&
            run.accountCount >= 14,
        );
      },
      { timeout: 60_000 },
    )
    .toBe(true);
}
