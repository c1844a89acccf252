import { expect, test } from '@playwright/test';
import { resetDemo, screenshot, signInAsGuest } from './helpers';

test.beforeAll(async ({ request }) => {
  await resetDemo(request);
});

test('the catalog lists the example AWS accounts', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/?filters[kind]=resource');
  await expect(
    page.getByRole('link', { name: 'payments-prod', exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'marketing-sandbox', exact: true }),
  ).toBeVisible();
  await screenshot(page, 'catalog-aws-accounts');
});

test('a compliant account shows SSE-KMS with its key and readers', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/aws-payments-prod');
  const card = page.getByTestId('cloudtrail-encryption-card');
  await expect(card.getByTestId('cloudtrail-encryption-status')).toHaveText(
    /Compliant/,
  );
  const trail = card.getByTestId('trail-payments-trail');
  await expect(trail.getByText('SSE-KMS', { exact: true })).toBeVisible();
  await expect(trail.getByText('Key Region')).toBeVisible();
  await expect(trail.getByText('Region mismatch')).toHaveCount(0);
  await expect(trail.getByText(/LogProcessor/)).toBeVisible();
  await expect(card.getByRole('button', { name: 'Remediate' })).toHaveCount(0);
  await screenshot(page, 'card-compliant');
});

test('a key in another Region than the bucket is flagged', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/aws-data-lake');
  const card = page.getByTestId('cloudtrail-encryption-card');
  await expect(card.getByTestId('cloudtrail-encryption-status')).toHaveText(
    /Non-compliant/,
  );
  const trail = card.getByTestId('trail-data-lake-trail');
  await expect(trail.getByText('Region mismatch')).toBeVisible();
  await expect(trail.getByText('eu-west-1', { exact: true })).toBeVisible();
  await expect(
    card
      .getByText('KMS_KEY_REGION_MISMATCH')
      .or(card.getByText(/is not in the Region of bucket/))
      // The card shows both the code and the message: either one will do.
      .first(),
  ).toBeVisible();
  await screenshot(page, 'card-region-mismatch');
});

test('an SSE-S3 account opens the remediation template prefilled', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/aws-marketing-sandbox');
  const card = page.getByTestId('cloudtrail-encryption-card');
  const trail = card.getByTestId('trail-marketing-trail');
  await expect(trail.getByText('SSE-S3', { exact: true })).toBeVisible();
  await screenshot(page, 'card-sse-s3');

  await trail
    .getByRole('link', { name: 'Remediate' })
    .or(trail.getByRole('button', { name: 'Remediate' }))
    .click();
  await expect(page).toHaveURL(
    /\/create\/templates\/default\/cloudtrail-sse-kms/,
  );
  await expect(
    page.getByText('Encrypt CloudTrail logs with SSE-KMS').first(),
  ).toBeVisible();
  await expect(page.getByLabel(/Account id/)).toHaveValue('100000000002');
  await expect(page.getByLabel(/Trail ARN/)).toHaveValue(
    'arn:aws:cloudtrail:us-east-1:100000000002:trail/marketing-trail',
  );
  await expect(page.getByLabel(/Log bucket Region/)).toHaveValue('us-east-1');
  await screenshot(page, 'template-prefilled');
});

test('the fleet page lists every account with its status', async ({ page }) => {
  await signInAsGuest(page);
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: /CloudTrail enc/ })
    .click();
  await expect(page).toHaveURL(/\/cloudtrail-encryption/);
  await expect(page.getByTestId('status-count-compliant')).toBeVisible();
  await expect(page.getByText('acquired-co').first()).toBeVisible();
  await expect(page.getByText('14 accounts in total')).toBeVisible();
  await screenshot(page, 'fleet-page');
});
