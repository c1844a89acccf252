import { expect, test } from '@playwright/test';
import { resetDemo, screenshot, signInAsGuest } from './helpers';

test.beforeAll(async ({ request }) => {
  await resetDemo(request);
});

test('the fleet page says the estate is the AWS organization', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/cloudtrail-encryption');
  const estate = page.getByTestId('cloudtrail-encryption-estate');
  await expect(estate).toContainText('AWS Organization o-tgdemo12345');
  await expect(estate).toContainText('14 accounts');
  // Accounts carry their OU path from AWS Organizations.
  await expect(page.getByText('Root/Workloads/Prod').first()).toBeVisible();
  await screenshot(page, 'fleet-estate');
});

test('an account entity outside the organization is not in the scanned estate', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/partner-audit');
  const card = page.getByTestId('cloudtrail-encryption-card');
  await expect(
    card.getByText('Not in the scanned estate').first(),
  ).toBeVisible();
  await expect(card.getByText(/100000000099/).first()).toBeVisible();
  await expect(card.getByRole('button', { name: 'Rescan' })).toHaveCount(0);
  await expect(card.getByRole('button', { name: 'Remediate' })).toHaveCount(0);
  await expect(card.getByRole('link', { name: 'Remediate' })).toHaveCount(0);
  await screenshot(page, 'card-not-in-estate');
});

test('an annotation on an unrelated component shows no report', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/campaign-landing-page');
  await expect(
    page.getByText('campaign-landing-page', { exact: true }).first(),
  ).toBeVisible();
  // payments-prod's trail and key must not appear on the component's page.
  await expect(page.getByText('payments-trail')).toHaveCount(0);
  await expect(page.getByText(/Compliant/)).toHaveCount(0);
  await screenshot(page, 'component-with-foreign-annotation');
});

test('an organization account shows its place in the organization', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/aws-payments-prod');
  const card = page.getByTestId('cloudtrail-encryption-card');
  await expect(card.getByText(/o-tgdemo12345/).first()).toBeVisible();
  await expect(card.getByText(/Root\/Workloads\/Prod/).first()).toBeVisible();
  await screenshot(page, 'card-membership');
});
