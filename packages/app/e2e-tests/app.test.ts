import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const screenshots = resolve(__dirname, '../../../e2e-screenshots');

test.beforeAll(() => {
  mkdirSync(screenshots, { recursive: true });
});

async function signInAsGuest(page: import('@playwright/test').Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
}

test('the catalog lists the example AWS accounts', async ({ page }) => {
  await signInAsGuest(page);

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(
    nav.getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();

  await page.goto(
    '/catalog?filters[kind]=resource&filters[type]=cloud-account',
  );
  await expect(page.getByText('payments-prod (100000000001)')).toBeVisible();
  await expect(
    page.getByText('marketing-sandbox (100000000002)'),
  ).toBeVisible();
  await page.screenshot({
    path: resolve(screenshots, 'catalog-aws-accounts.png'),
    fullPage: true,
  });
});
