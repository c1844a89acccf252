import { expect, test, type Page } from '@playwright/test';
import { resetDemo, screenshot, signInAsGuest } from './helpers';

test.beforeAll(async ({ request }) => {
  await resetDemo(request);
});

const LOOKUP = /\/api\/cloudtrail-encryption\/accounts\?accountId=/;

/** Requests the status column makes: lookups, and any per-account calls. */
function recordStatusRequests(page: Page) {
  const lookups: string[] = [];
  const perAccount: string[] = [];
  page.on('request', req => {
    const url = req.url();
    if (LOOKUP.test(url)) lookups.push(url);
    else if (
      /\/api\/cloudtrail-encryption\/(accounts\/\d{12}|entity\/)/.test(url)
    )
      perAccount.push(url);
  });
  return { lookups, perAccount };
}

function accountRow(page: Page, name: string) {
  return page
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name, exact: true }) });
}

async function expectAccountsWithStatus(page: Page) {
  await expect(
    page.getByRole('columnheader', { name: /CloudTrail encryption/i }),
  ).toBeVisible();
  await expect(
    accountRow(page, 'payments-prod').getByTestId(
      'cloudtrail-encryption-column-100000000001',
    ),
  ).toHaveText(/^Compliant$/);
  await expect(
    accountRow(page, 'marketing-sandbox').getByTestId(
      'cloudtrail-encryption-column-100000000002',
    ),
  ).toHaveText(/Non-compliant/);
}

test('the catalog opens on the AWS accounts with their encryption status', async ({
  page,
}) => {
  await signInAsGuest(page);
  const requests = recordStatusRequests(page);
  // The landing page, with no filters in the URL.
  await page.goto('/');
  await expect(page).toHaveURL(
    /filters%5Bkind%5D=resource|filters\[kind\]=resource/,
  );
  await expect(page).toHaveURL(/cloud-account/);
  await expectAccountsWithStatus(page);

  // Every scanned account has its status; partner-audit, a cloud account
  // outside the scanned estate, has none.
  const rows = page.locator('tbody tr');
  const count = await rows.count();
  expect(count).toBeGreaterThan(5);
  await expect(
    page.locator('[data-testid^="cloudtrail-encryption-column-"]'),
  ).toHaveCount(count - 1);
  await expect(
    accountRow(page, 'partner-audit').locator(
      '[data-testid^="cloudtrail-encryption-column-"]',
    ),
  ).toHaveCount(0);
  await expect(accountRow(page, 'partner-audit')).toBeVisible();

  // One batched lookup for the whole page, no request per row.
  expect(requests.lookups).toHaveLength(1);
  const asked = new URL(requests.lookups[0]).searchParams.getAll('accountId');
  expect(asked).toHaveLength(count);
  expect(asked).toContain('100000000099');
  expect(requests.perAccount).toEqual([]);
  await screenshot(page, 'catalog-accounts-status-1440');

  // At 800 px the table scrolls sideways to its right-hand columns, the
  // status among them.
  await page.setViewportSize({ width: 800, height: 1000 });
  const cell = accountRow(page, 'payments-prod').getByTestId(
    'cloudtrail-encryption-column-100000000001',
  );
  // The table is laid out again for the narrow window: retry until it settles.
  await expect(async () => {
    await cell.scrollIntoViewIfNeeded({ timeout: 2000 });
    await expect(cell).toBeInViewport({ timeout: 2000 });
  }).toPass();
  await expect(cell).toHaveText(/^Compliant$/);
  await screenshot(page, 'catalog-accounts-status-800');
});

test('the sidebar links to the AWS accounts; other kinds have no status column', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/?filters[kind]=component&filters[user]=all');
  await expect(page.getByRole('row').nth(1)).toBeVisible();
  await expect(
    page.getByRole('columnheader', { name: /CloudTrail encryption/i }),
  ).toHaveCount(0);

  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'AWS accounts' })
    .click();
  await expectAccountsWithStatus(page);
});
