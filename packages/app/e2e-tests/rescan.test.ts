import {
  expect,
  test,
  type APIRequestContext,
  type Page,
} from '@playwright/test';
import {
  resetDemo,
  sandboxAdminHeaders,
  SANDBOX,
  screenshot,
  signInAsGuest,
} from './helpers';

const PAYMENTS_TRAIL =
  'arn:aws:cloudtrail:us-east-1:100000000001:trail/payments-trail';

async function mutate(request: APIRequestContext, op: string, args: unknown[]) {
  const res = await request.post(`${SANDBOX}/_sandbox/mutate`, {
    headers: sandboxAdminHeaders(),
    data: { op, args },
  });
  expect(res.ok(), await res.text()).toBe(true);
}

/** Slows every AWS call so that progress can be seen. */
async function slowAws(request: APIRequestContext, latency: number) {
  const res = await request.patch(`${SANDBOX}/_sandbox/faults`, {
    headers: sandboxAdminHeaders(),
    data: { latency },
  });
  expect(res.ok(), await res.text()).toBe(true);
}

async function resetFaults(request: APIRequestContext) {
  await request.post(`${SANDBOX}/_sandbox/faults/reset`, {
    headers: sandboxAdminHeaders(),
  });
}

async function at800(page: Page, name: string) {
  await page.setViewportSize({ width: 800, height: 1000 });
  await screenshot(page, name);
  await page.setViewportSize({ width: 1440, height: 1000 });
}

test.beforeAll(async ({ request }) => {
  await resetFaults(request);
  await resetDemo(request);
});

test.afterAll(async ({ request }) => {
  await resetFaults(request);
  await resetDemo(request);
});

test('a rescan shows its progress, then what changed, until dismissed', async ({
  page,
  request,
}) => {
  // A trail stops logging: the rescan must find the new finding.
  await mutate(request, 'setTrailStatus', [
    PAYMENTS_TRAIL,
    { isLogging: false },
  ]);
  await slowAws(request, 250);
  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/aws-payments-prod');
  const card = page.getByTestId('cloudtrail-encryption-card');
  await expect(card.getByText('Compliant', { exact: true })).toBeVisible();
  const rescan = card.getByRole('button', { name: 'Rescan' });
  await expect(rescan).toBeEnabled();
  await rescan.click();

  const progress = card.getByTestId('cloudtrail-encryption-rescan-progress');
  await expect(progress).toContainText(
    /Rescanning account 100000000001… started \d+ s ago/,
  );
  await expect(rescan).toBeDisabled();
  await screenshot(page, 'rescan-progress-1440');

  const outcome = card.getByTestId('cloudtrail-encryption-rescan-outcome');
  await expect(outcome).toBeVisible({ timeout: 60_000 });
  await expect(progress).toBeHidden();
  await expect(outcome).toContainText(
    'Rescan of account 100000000001 finished',
  );
  await expect(outcome).toContainText('New (1):');
  await expect(outcome).toContainText('(TRAIL_NOT_LOGGING) on payments-trail');
  await expect(outcome).toContainText(/\d+ findings? remains?\./);
  await resetFaults(request);
  await screenshot(page, 'rescan-outcome-1440');
  await at800(page, 'rescan-outcome-800');

  // Fixed again: the next rescan names the finding as resolved.
  await mutate(request, 'setTrailStatus', [
    PAYMENTS_TRAIL,
    { isLogging: true },
  ]);
  await rescan.click();
  await expect(outcome).toContainText('Resolved (1):', { timeout: 60_000 });
  await expect(outcome).toContainText('(TRAIL_NOT_LOGGING) on payments-trail');

  // And a rescan that changes nothing says so.
  await rescan.click();
  await expect(outcome).toContainText(/No change: \d+ findings? remains?\./, {
    timeout: 60_000,
  });
  // It stays until dismissed.
  await page.waitForTimeout(1500);
  await expect(outcome).toBeVisible();
  await outcome.getByRole('button', { name: 'Close' }).click();
  await expect(outcome).toBeHidden();
});

test('"Scan all" shows progress, then the outcome; the trend has dated axes', async ({
  page,
  request,
}) => {
  await signInAsGuest(page);
  await page.goto('/cloudtrail-encryption');
  await expect(
    page.getByTestId('fleet-table').locator('tbody tr').first(),
  ).toBeVisible();
  await slowAws(request, 200);
  try {
    await page.getByRole('button', { name: 'Scan all' }).click();
    const progress = page.getByTestId('scan-all-progress');
    await expect(progress).toContainText(/Scanning: \d+ \/ 14 accounts/, {
      timeout: 30_000,
    });
    await expect(page.getByRole('button', { name: 'Scan all' })).toBeDisabled();
    await screenshot(page, 'scan-all-progress-1440');
    const outcome = page.getByTestId('scan-all-outcome');
    await expect(outcome).toContainText('Scanned 14 accounts', {
      timeout: 120_000,
    });
    await expect(outcome).toContainText(/Compliant: \d+ of 14 → \d+ of 14/);
    await expect(progress).toBeHidden();
  } finally {
    await resetFaults(request);
  }

  const chart = page.getByTestId('scan-trend');
  await expect(chart).toBeVisible();
  const xLabels = await chart.getByTestId('trend-x-tick').allTextContents();
  expect(xLabels.length).toBeGreaterThan(0);
  for (const label of xLabels) {
    expect(label).toMatch(/^[A-Z][a-z]{2} \d{1,2}/);
  }
  await expect(chart.getByTestId('trend-y-axis')).toContainText('100%');
  // The scan just run is on demand, drawn and labelled as such.
  await expect(
    chart.locator('[data-trigger="manual"]').last().locator('title'),
  ).toContainText('On demand (manual or API), full scan by user:');
  await expect(page.getByTestId('trend-legend')).toContainText('Scheduled');
  await chart.scrollIntoViewIfNeeded();
  await screenshot(page, 'scan-all-outcome-trend-1440');
  await at800(page, 'scan-all-outcome-trend-800');
});
