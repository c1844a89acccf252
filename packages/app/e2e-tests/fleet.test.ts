import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resetDemo, screenshot, signInAsGuest } from './helpers';

test.beforeAll(async ({ request }) => {
  await resetDemo(request);
});

const FLEET = '/cloudtrail-encryption';

const table = (page: Page) => page.getByTestId('fleet-table');
const bodyRows = (page: Page) => table(page).locator('tbody tr');

/** The text of one column in every row, found by its header. */
async function columnTexts(page: Page, title: string): Promise<string[]> {
  const headers = await table(page).locator('thead th').allInnerTexts();
  // Headers are shown upper-case (CSS), so compare without case.
  const index = headers.findIndex(
    h => h.trim().toLowerCase() === title.toLowerCase(),
  );
  expect(index, `column ${title} in ${headers.join(' | ')}`).toBeGreaterThan(
    -1,
  );
  return bodyRows(page)
    .locator(`td:nth-child(${index + 1})`)
    .allInnerTexts();
}

/** Account names as the first line of the Account column. */
async function accountNames(page: Page): Promise<string[]> {
  return (await columnTexts(page, 'Account')).map(t => t.split('\n')[0].trim());
}

/** Account ids as the second line of the Account column. */
async function accountIds(page: Page): Promise<string[]> {
  return (await columnTexts(page, 'Account')).map(
    t => /\b\d{12}\b/.exec(t)?.[0] ?? '',
  );
}

async function openFleet(page: Page, search = '') {
  await signInAsGuest(page);
  await page.goto(`${FLEET}${search}`);
  // Loading is over once a row with an account id shows.
  await expect(bodyRows(page).first()).toBeVisible();
  await expect(
    bodyRows(page)
      .first()
      .getByText(/\b\d{12}\b/)
      .first(),
  ).toBeVisible();
}

const ascending = (values: string[]) =>
  values.every(
    (v, i) => i === 0 || values[i - 1].toLowerCase() <= v.toLowerCase(),
  );

test('sorting by a column is done by the server and kept in the URL', async ({
  page,
}) => {
  await openFleet(page);
  await expect(bodyRows(page)).toHaveCount(14);

  const header = (title: string) =>
    table(page).getByRole('columnheader', { name: title, exact: true });

  await header('Trails').getByRole('button').first().click();
  await expect(page).toHaveURL(/sort=trailCount&order=asc/);
  await expect
    .poll(async () => {
      const trails = (await columnTexts(page, 'Trails')).map(Number);
      return trails.every((t, i) => i === 0 || trails[i - 1] <= t);
    })
    .toBe(true);

  await header('Trails').getByRole('button').first().click();
  await expect(page).toHaveURL(/sort=trailCount&order=desc/);
  await expect
    .poll(async () => {
      const trails = (await columnTexts(page, 'Trails')).map(Number);
      return trails.every((t, i) => i === 0 || trails[i - 1] >= t);
    })
    .toBe(true);

  await header('Account').getByRole('button').first().click();
  await expect(page).toHaveURL(/sort=name&order=asc/);
  await expect.poll(async () => ascending(await accountNames(page))).toBe(true);
  const names = await accountNames(page);
  expect(names).toHaveLength(14);
  expect(names).toEqual(expect.arrayContaining(['data-lake', 'payments-prod']));
  await screenshot(page, 'fleet-sorted-by-name');

  // The sort is in the URL: a reload asks the server for the same order.
  await page.reload();
  await expect(bodyRows(page)).toHaveCount(14);
  expect(await accountNames(page)).toEqual(names);
});

test('a filter survives a reload through the URL', async ({ page }) => {
  await openFleet(page);
  await page
    .locator('#cloudtrail-encryption-status-filter')
    .selectOption('non-compliant');
  await expect(page).toHaveURL(/[?&]status=non-compliant/);
  await expect(table(page).getByText('payments-prod')).toHaveCount(0);
  await expect(table(page).getByText('data-lake').first()).toBeVisible();
  await expect(
    table(page).getByText('marketing-sandbox').first(),
  ).toBeVisible();
  const filtered = await accountIds(page);

  await page.locator('#cloudtrail-encryption-search').fill('data');
  await expect(page).toHaveURL(/[?&]q=data/);
  await expect(table(page).getByText('marketing-sandbox')).toHaveCount(0);
  await expect(table(page).getByText('data-lake').first()).toBeVisible();

  await page.reload();
  await expect(
    page.locator('#cloudtrail-encryption-status-filter'),
  ).toHaveValue('non-compliant');
  await expect(page.locator('#cloudtrail-encryption-search')).toHaveValue(
    'data',
  );
  await expect(table(page).getByText('data-lake').first()).toBeVisible();
  await expect(table(page).getByText('payments-prod')).toHaveCount(0);
  await expect(table(page).getByText('marketing-sandbox')).toHaveCount(0);
  for (const id of await accountIds(page)) expect(filtered).toContain(id);
  await screenshot(page, 'fleet-filter-after-reload');
});

test('exports the current filter as CSV and JSON', async ({ page }) => {
  await openFleet(page, '?status=non-compliant&sort=name&order=asc');
  await expect(table(page).getByText('payments-prod')).toHaveCount(0);
  await expect(table(page).getByText('data-lake').first()).toBeVisible();
  const shown = await accountIds(page);
  expect(shown.length).toBeGreaterThanOrEqual(2);

  const [csvDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(csvDownload.suggestedFilename()).toMatch(
    /^cloudtrail-encryption-accounts(-\d{4}-\d{2}-\d{2})?\.csv$/,
  );
  const csv = readFileSync((await csvDownload.path())!, 'utf8')
    .split('\r\n')
    .filter(Boolean)
    .map(line => line.split(','));
  const [header, ...rows] = csv;
  expect(header.slice(0, 5)).toEqual([
    'accountId',
    'accountName',
    'entityRef',
    'owners',
    'status',
  ]);
  expect(rows.map(r => r[0])).toEqual(shown);
  for (const row of rows) {
    expect(row[header.indexOf('status')]).toBe('non-compliant');
  }
  const dataLake = rows.find(r => r[1] === 'data-lake')!;
  expect(dataLake[0]).toBe('100000000003');
  expect(dataLake[header.indexOf('entityRef')]).toBe(
    'resource:default/aws-data-lake',
  );
  expect(dataLake[header.indexOf('owners')]).toBe('group:default/data-team');
  // The data lake's key is in another Region than its bucket.
  expect(dataLake[header.indexOf('keyRegions')]).not.toBe(
    dataLake[header.indexOf('bucketRegions')],
  );

  const [jsonDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export JSON' }).click(),
  ]);
  expect(jsonDownload.suggestedFilename()).toMatch(/\.json$/);
  const json = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8'));
  expect(Array.isArray(json)).toBe(true);
  expect(json.map((r: { accountId: string }) => r.accountId)).toEqual(shown);
  expect(
    json.every((r: { status: string }) => r.status === 'non-compliant'),
  ).toBe(true);
});

test('an account row links to its catalog entity', async ({ page }) => {
  await openFleet(page);
  const link = table(page).getByRole('link', {
    name: 'data-lake',
    exact: true,
  });
  await expect(link).toHaveAttribute(
    'href',
    /\/catalog\/default\/resource\/aws-data-lake$/,
  );
  const row = bodyRows(page).filter({
    has: page.getByRole('link', { name: 'data-lake', exact: true }),
  });
  await expect(
    row.getByRole('link', { name: /data-team/ }).first(),
  ).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(/\/catalog\/default\/resource\/aws-data-lake/);
  await expect(page.getByTestId('cloudtrail-encryption-card')).toBeVisible();
});

test('at 800 px the table scrolls instead of breaking codes and titles', async ({
  page,
}) => {
  await page.setViewportSize({ width: 800, height: 900 });
  await openFleet(page);
  await expect(
    table(page).locator('[data-testid="worst-finding"]').first(),
  ).toBeVisible();
  const layout = await table(page).evaluate(root => {
    const lineHeight = (el: Element) => {
      const style = getComputedStyle(el);
      const line = parseFloat(style.lineHeight);
      return Number.isFinite(line) ? line : parseFloat(style.fontSize) * 1.5;
    };
    const broken = (el: Element) =>
      el.getClientRects().length > 1 ||
      el.getBoundingClientRect().height > 1.5 * lineHeight(el);
    // The code is the innermost element whose text is exactly the code.
    const codesEl = [
      ...root.querySelectorAll<HTMLElement>('[data-testid="worst-finding"]'),
    ].flatMap(finding =>
      [...finding.querySelectorAll('*')].filter(
        el =>
          el.children.length === 0 &&
          el.textContent === finding.dataset.findingCode,
      ),
    );
    const tableEl = root.querySelector('table')!;
    return {
      codes: codesEl.length,
      brokenCodes: codesEl.filter(broken).map(el => el.textContent),
      brokenNames: [...root.querySelectorAll('tbody td:first-child p')]
        .filter(broken)
        .map(el => el.textContent),
      rootWidth: root.getBoundingClientRect().width,
      tableWidth: tableEl.getBoundingClientRect().width,
    };
  });
  expect(layout.codes).toBeGreaterThan(0);
  expect(layout.brokenCodes).toEqual([]);
  expect(layout.brokenNames).toEqual([]);
  expect(layout.rootWidth).toBeLessThanOrEqual(800);
  // Wider than the window: the table scrolls sideways.
  expect(layout.tableWidth).toBeGreaterThan(layout.rootWidth);
  await screenshot(page, 'fleet-800px');
});
