import {
  expect,
  test,
  type APIRequestContext,
  type Locator,
  type Page,
} from '@playwright/test';
import {
  BACKEND,
  guestToken,
  resetDemo,
  screenshot,
  signInAsGuest,
} from './helpers';

/**
 * The plan digest an API caller confirms: a dry run of the template's check
 * step with these values, as the form's preview computes it.
 */
async function confirmedPlan(
  request: APIRequestContext,
  headers: Record<string, string>,
  values: Record<string, unknown>,
): Promise<string> {
  const template = await (
    await request.get(
      `${BACKEND}/api/catalog/entities/by-name/template/default/cloudtrail-sse-kms`,
      { headers },
    )
  ).json();
  const check = template.spec.steps[0];
  const res = await request.post(`${BACKEND}/api/scaffolder/v2/dry-run`, {
    headers,
    data: {
      template: {
        ...template,
        spec: {
          ...template.spec,
          steps: [check],
          output: {
            planDigest: `\${{ steps['${check.id}'].output.planDigest }}`,
          },
        },
      },
      values,
      directoryContents: [],
    },
  });
  expect(res.status(), await res.text()).toBe(200);
  const digest = (await res.json()).output?.planDigest;
  expect(digest).toMatch(/^[0-9a-f]{64}$/);
  return digest;
}

/**
 * Runs the remediation template through the scaffolder's task API on the
 * running backend, then reads the account's TrailGuard report. The API
 * caller confirms the planned changes as the form's review page does.
 */
async function runTemplate(
  request: APIRequestContext,
  headers: Record<string, string>,
  values: Record<string, unknown>,
) {
  const created = await request.post(`${BACKEND}/api/scaffolder/v2/tasks`, {
    headers,
    data: {
      templateRef: 'template:default/cloudtrail-sse-kms',
      values: {
        ...values,
        confirmPlannedChanges: await confirmedPlan(request, headers, values),
      },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  let status = '';
  await expect
    .poll(
      async () => {
        const task = await (
          await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}`, {
            headers,
          })
        ).json();
        status = task.status;
        return ['completed', 'failed', 'cancelled'].includes(status);
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  if (status !== 'completed') {
    const events = await (
      await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}/events`, {
        headers,
      })
    ).json();
    throw new Error(
      `task ${status}: ${events
        .map((e: any) => e.body?.message)
        .filter(Boolean)
        .join(' | ')}`,
    );
  }
}

async function report(
  request: APIRequestContext,
  headers: Record<string, string>,
  accountId: string,
) {
  const res = await request.get(
    `${BACKEND}/api/cloudtrail-encryption/accounts/${accountId}`,
    { headers },
  );
  expect(res.ok()).toBe(true);
  return res.json();
}

test.describe.serial('remediation template', () => {
  let headers: Record<string, string>;

  test.beforeAll(async ({ request }) => {
    await resetDemo(request);
    headers = { Authorization: `Bearer ${await guestToken(request)}` };
  });

  test('an SSE-S3 account gets a new key and becomes compliant', async ({
    request,
  }) => {
    const before = await report(request, headers, '100000000002');
    expect(before.status).toBe('non-compliant');
    const trail = before.trails.find((t: any) => t.name === 'marketing-trail');
    expect(trail.encryption).toBe('SSE-S3');

    await runTemplate(request, headers, {
      accountEntity: 'resource:default/aws-marketing-sandbox',
      accountId: '100000000002',
      trailArn: trail.trailArn,
      trailName: trail.name,
      trailRegion: trail.homeRegion,
      bucketName: trail.s3BucketName,
      bucketRegion: trail.bucketRegion,
      keyMode: 'create',
      readers: [],
    });

    const after = await report(request, headers, '100000000002');
    expect(after.status).toBe('compliant');
    const fixed = after.trails.find((t: any) => t.name === 'marketing-trail');
    expect(fixed.encryption).toBe('SSE-KMS');
    expect(fixed.kmsKey.region).toBe(trail.bucketRegion);
    expect(fixed.cloudTrailCanEncrypt).toBe(true);
  });

  test('a key policy missing CloudTrail GenerateDataKey* is fixed in place', async ({
    request,
  }) => {
    const before = await report(request, headers, '100000000006');
    expect(before.findings.map((f: any) => f.code)).toContain(
      'CLOUDTRAIL_CANNOT_ENCRYPT',
    );
    const trail = before.trails.find((t: any) => !t.isOrganizationTrail);

    await runTemplate(request, headers, {
      accountEntity: 'resource:default/aws-checkout-staging',
      accountId: '100000000006',
      trailArn: trail.trailArn,
      trailName: trail.name,
      trailRegion: trail.homeRegion,
      bucketName: trail.s3BucketName,
      bucketRegion: trail.bucketRegion,
      keyMode: 'existing',
      existingKeyArn: trail.kmsKey.arn,
      readers: [],
    });

    const after = await report(request, headers, '100000000006');
    const fixed = after.trails.find((t: any) => t.trailArn === trail.trailArn);
    expect(fixed.kmsKey.arn).toBe(trail.kmsKey.arn);
    expect(fixed.cloudTrailCanEncrypt).toBe(true);
    expect(after.findings.map((f: any) => f.code)).not.toContain(
      'CLOUDTRAIL_CANNOT_ENCRYPT',
    );
    expect(after.status).toBe('compliant');
  });

  test("a multi-Region key in another Region than the bucket gets a replica in the bucket's Region", async ({
    request,
  }) => {
    const before = await report(request, headers, '100000000003');
    expect(before.findings.map((f: any) => f.code)).toContain(
      'KMS_KEY_REGION_MISMATCH',
    );
    const trail = before.trails.find((t: any) => t.name === 'data-lake-trail');
    expect(trail.kmsKey.multiRegion).toBe(true);
    expect(trail.kmsKey.region).not.toBe(trail.bucketRegion);

    await runTemplate(request, headers, {
      accountEntity: 'resource:default/aws-data-lake',
      accountId: '100000000003',
      trailArn: trail.trailArn,
      trailName: trail.name,
      trailRegion: trail.homeRegion,
      bucketName: trail.s3BucketName,
      bucketRegion: trail.bucketRegion,
      keyMode: 'replicate',
      existingKeyArn: trail.kmsKey.arn,
      readers: [],
    });

    const after = await report(request, headers, '100000000003');
    expect(after.status).toBe('compliant');
    const fixed = after.trails.find((t: any) => t.trailArn === trail.trailArn);
    // The replica: the same multi-Region key id, in the bucket's Region.
    expect(fixed.kmsKey.keyId).toBe(trail.kmsKey.keyId);
    expect(fixed.kmsKey.region).toBe(trail.bucketRegion);
    expect(fixed.kmsKey.arn).toBe(
      trail.kmsKey.arn.replace(
        `:${trail.kmsKey.region}:`,
        `:${trail.bucketRegion}:`,
      ),
    );
    expect(fixed.delivery.latestDeliveryError).toBeUndefined();
  });
});

/** Every demo account with a blocking finding, and what Remediate does there. */
interface CardCase {
  accountId: string;
  entity: string;
  trail: string;
  /** The fix the card prefills. */
  keyMode: string;
  /** The form's label of the prefilled fix. */
  fixLabel: RegExp;
  /** The fix chosen in the form, when the test picks the alternative. */
  choose?: { keyMode: string; label: RegExp };
  /** A step the preview must show as planned, and what it must say. */
  planned: { step: string; text: RegExp; diff?: boolean };
  findingsBefore: string[];
}

const CARD_CASES: CardCase[] = [
  {
    accountId: '100000000002',
    entity: 'aws-marketing-sandbox',
    trail: 'marketing-trail',
    keyMode: 'create',
    fixLabel: /Create a new key/,
    planned: {
      step: 'create-key',
      text: /would create a key in 100000000002 us-east-1/,
    },
    findingsBefore: ['TRAIL_NOT_KMS_ENCRYPTED'],
  },
  {
    accountId: '100000000003',
    entity: 'aws-data-lake',
    trail: 'data-lake-trail',
    keyMode: 'replicate',
    fixLabel: /Replicate the trail's multi-Region key/,
    planned: { step: 'replicate-key', text: /us-east-1/ },
    findingsBefore: ['KMS_KEY_REGION_MISMATCH'],
  },
  {
    accountId: '100000000004',
    entity: 'aws-legacy-billing',
    trail: 'billing-trail',
    keyMode: 'create',
    fixLabel: /Create a new key/,
    planned: { step: 'create-key', text: /would create a key in 100000000004/ },
    findingsBefore: ['KMS_KEY_NOT_ENABLED'],
  },
  {
    accountId: '100000000005',
    entity: 'aws-retired-analytics',
    trail: 'analytics-trail',
    keyMode: 'create',
    fixLabel: /Create a new key/,
    // The alternative the card offers for a key pending deletion.
    choose: { keyMode: 'restore', label: /Re-enable the trail's current key/ },
    planned: { step: 'restore-key', text: /CancelKeyDeletion|cancel/i },
    findingsBefore: ['KMS_KEY_PENDING_DELETION'],
  },
  {
    accountId: '100000000006',
    entity: 'aws-checkout-staging',
    trail: 'checkout-trail',
    keyMode: 'existing',
    fixLabel: /Use an existing key/,
    planned: {
      step: 'ensure-policy',
      text: /kms:GenerateDataKey\*/,
      diff: true,
    },
    findingsBefore: ['CLOUDTRAIL_CANNOT_ENCRYPT'],
  },
  {
    accountId: '100000000007',
    entity: 'aws-search-dev',
    trail: 'search-trail',
    keyMode: 'existing',
    fixLabel: /Use an existing key/,
    planned: { step: 'ensure-policy', text: /kms:DescribeKey/, diff: true },
    findingsBefore: ['CLOUDTRAIL_CANNOT_DESCRIBE_KEY'],
  },
  {
    accountId: '100000000008',
    entity: 'aws-public-web',
    trail: 'web-trail',
    keyMode: 'narrow-decrypt',
    fixLabel: /Narrow who may decrypt/,
    planned: { step: 'narrow-decrypt', text: /aws:PrincipalOrgID/, diff: true },
    findingsBefore: ['DECRYPT_OPEN_TO_ANY_PRINCIPAL'],
  },
];

const card = (page: Page) => page.getByTestId('cloudtrail-encryption-card');

/** Guest sign-in, tried again while the development backend restarts. */
async function signIn(page: Page) {
  for (let attempt = 1; ; attempt++) {
    try {
      await signInAsGuest(page);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function openEntity(page: Page, entity: string) {
  await page.goto(`/catalog/default/resource/${entity}`);
  await expect(card(page)).toBeVisible();
}

/** The form's value of a field, as the scaffolder's review page lists it. */
function formDataOfHref(href: string): Record<string, unknown> {
  const url = new URL(href, 'http://localhost');
  return JSON.parse(url.searchParams.get('formData')!);
}

/** The select of the fix on the "KMS key" page. */
function fixSelect(page: Page): Locator {
  return page.locator('[id="root_keyMode"]').first();
}

async function blockingCodes(
  request: APIRequestContext,
  headers: Record<string, string>,
  accountId: string,
): Promise<string[]> {
  const r = await report(request, headers, accountId);
  return r.findings
    .filter((f: any) => f.severity === 'critical' || f.severity === 'high')
    .map((f: any) => f.code);
}

async function at800(page: Page, name: string) {
  await page.setViewportSize({ width: 800, height: 1000 });
  await screenshot(page, name);
  await page.setViewportSize({ width: 1440, height: 1000 });
}

// Each case starts from a fresh demo, so one failing case does not stop the others.
test.describe('Remediate from the entity card', () => {
  // A reset, a form, a run with its rescan, and the card again.
  test.describe.configure({ timeout: 240_000 });
  let headers: Record<string, string>;

  test.beforeEach(async ({ request }) => {
    await resetDemo(request);
    headers = { Authorization: `Bearer ${await guestToken(request)}` };
  });

  CARD_CASES.forEach(c => {
    test(`${c.entity}: previewed, confirmed, run, and compliant after the rescan`, async ({
      page,
      request,
    }) => {
      expect(await blockingCodes(request, headers, c.accountId)).toEqual(
        expect.arrayContaining(c.findingsBefore),
      );
      await signIn(page);
      await openEntity(page, c.entity);
      const trail = card(page).getByTestId(`trail-${c.trail}`);
      const remediate = trail.getByRole('button', { name: 'Remediate' });
      await expect(remediate).toBeVisible();
      const prefilled = formDataOfHref((await remediate.getAttribute('href'))!);
      expect(prefilled.keyMode).toBe(c.keyMode);
      await remediate.click();

      // Account and trail, prefilled from the report.
      await expect(page.getByRole('button', { name: 'Next' })).toBeVisible();
      await expect(page.locator('[id="root_trailArn"]')).toHaveValue(
        new RegExp(`:${c.accountId}:trail/${c.trail}$`),
      );
      await page.getByRole('button', { name: 'Next' }).click();

      // The fix the report calls for.
      await expect(fixSelect(page)).toContainText(c.fixLabel);
      if (c.choose) {
        await fixSelect(page).click();
        await page.getByRole('option', { name: c.choose.label }).click();
        await expect(fixSelect(page)).toContainText(c.choose.label);
      }
      await page.getByRole('button', { name: 'Next' }).click();

      // The preview: a dry run against the account, step by step.
      const preview = page.getByTestId('remediation-preview');
      await expect(preview).toBeVisible();
      await expect(preview.getByTestId('preview-parties')).toContainText(
        c.accountId,
      );
      const step = preview.getByTestId(`preview-step-${c.planned.step}`);
      const refused = preview.getByTestId('preview-error');
      await expect(step.or(refused)).toBeVisible({ timeout: 60_000 });
      // A refused dry run names its cause: show it when the test fails.
      expect((await refused.count()) ? await refused.innerText() : '').toBe('');
      await expect(step).toContainText('will run');
      await expect(step).toContainText(c.planned.text);
      if (c.planned.diff) {
        await expect(step.locator('[data-diff="added"]').first()).toBeVisible();
      }
      await expect(preview.getByTestId('preview-step-check')).toContainText(
        'will run',
      );
      await expect(preview.getByTestId('preview-error')).toHaveCount(0);
      // Without the confirmation the form does not go on.
      await page.getByRole('button', { name: 'Review' }).click();
      await expect(
        preview.getByTestId('preview-confirmation-missing'),
      ).toHaveText('Read the planned changes, then tick the box to continue.');
      await expect(
        page.getByText("'Planned changes' are not confirmed yet"),
      ).toBeVisible();
      await expect(page.getByRole('button', { name: 'Create' })).toHaveCount(0);
      await screenshot(page, `remediation-preview-${c.entity}-1440`);
      await at800(page, `remediation-preview-${c.entity}-800`);
      await preview.getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Review' }).click();
      await page.getByRole('button', { name: 'Create' }).click();

      // The run: completed, and its output says fixed.
      await expect(page).toHaveURL(/\/create\/tasks\//);
      const back = page.getByRole('link', { name: 'Back to the account' });
      await expect(back.or(page.getByText(/failed/i).first())).toBeVisible({
        timeout: 90_000,
      });
      await expect(back).toBeVisible();
      await expect(page.getByText(/Outcome:\s*fixed/)).toBeVisible();
      await screenshot(page, `remediation-outcome-${c.entity}-1440`);

      // Back on the card: the rescan's report, compliant.
      await back.click();
      await expect(card(page)).toBeVisible();
      await expect(
        card(page).getByText('Compliant', { exact: true }),
      ).toBeVisible();
      await expect(
        card(page).getByRole('button', { name: 'Remediate' }),
      ).toHaveCount(0);
      const after = await report(request, headers, c.accountId);
      expect(after.status).toBe('compliant');
      expect(await blockingCodes(request, headers, c.accountId)).toEqual([]);
      await screenshot(page, `remediation-card-after-${c.entity}-1440`);
    });
  });

  test('a crafted link proposing a key outside the organization is shown and refused before anything runs', async ({
    page,
    request,
  }) => {
    const outsideKey =
      'arn:aws:kms:us-east-1:999999999999:key/5e2b0d5f-90f1-4ec3-b64c-cdf64517b899';
    const formData = {
      accountEntity: 'resource:default/aws-checkout-staging',
      accountId: '100000000006',
      trailArn:
        'arn:aws:cloudtrail:us-east-1:100000000006:trail/checkout-trail',
      trailName: 'checkout-trail',
      trailRegion: 'us-east-1',
      bucketName: 'checkout-staging-cloudtrail-100000000006',
      bucketRegion: 'us-east-1',
      keyMode: 'existing',
      existingKeyArn: outsideKey,
    };
    await signIn(page);
    await page.goto(
      `/create/templates/default/cloudtrail-sse-kms?formData=${encodeURIComponent(
        JSON.stringify(formData),
      )}`,
    );
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.locator('[id="root_existingKeyArn"]')).toHaveValue(
      outsideKey,
    );
    await page.getByRole('button', { name: 'Next' }).click();
    const preview = page.getByTestId('remediation-preview');
    await expect(preview.getByTestId('preview-outside-key')).toContainText(
      "The key belongs to account 999999999999, not to the trail's account 100000000006.",
    );
    await expect(preview.getByTestId('preview-error')).toContainText(
      'is in account 999999999999, which is neither',
      { timeout: 60_000 },
    );
    await expect(preview.getByRole('checkbox')).toBeDisabled();
    await page.getByRole('button', { name: 'Review' }).click();
    await expect(page.getByRole('button', { name: 'Create' })).toHaveCount(0);
    await screenshot(page, 'remediation-preview-outside-key-1440');
    // Nothing changed: the finding is still there.
    expect(await blockingCodes(request, headers, '100000000006')).toContain(
      'CLOUDTRAIL_CANNOT_ENCRYPT',
    );
  });

  test('aws-identity-prod: decrypt granted to an outside account is not fixable here, with the manual steps', async ({
    page,
    request,
  }) => {
    // The key policy names an outside account, whose role reads the logs.
    expect(
      (await blockingCodes(request, headers, '100000000010')).sort(),
    ).toEqual(['DECRYPT_CROSS_ACCOUNT', 'READER_OUTSIDE_ORGANIZATION']);
    await signIn(page);
    await openEntity(page, 'aws-identity-prod');
    const trail = card(page).getByTestId('trail-identity-trail');
    await expect(trail.getByTestId('trail-not-fixable-here')).toBeVisible();
    await expect(trail.getByRole('button', { name: 'Remediate' })).toHaveCount(
      0,
    );
    const finding = card(page).locator(
      '[data-finding-code="DECRYPT_CROSS_ACCOUNT"]',
    );
    await expect(finding.getByTestId('not-fixable-here')).toBeVisible();
    await finding.getByRole('button', { name: 'How to fix' }).click();
    await expect(finding.getByTestId('finding-steps')).toContainText(
      '100000000099',
    );
    await expect(
      card(page)
        .locator('[data-finding-code="READER_OUTSIDE_ORGANIZATION"]')
        .getByTestId('not-fixable-here'),
    ).toBeVisible();
    await screenshot(page, 'remediation-not-fixable-identity-prod-1440');
    await at800(page, 'remediation-not-fixable-identity-prod-800');
  });

  test('aws-acquired-co: a role that cannot be assumed offers no Remediate', async ({
    page,
  }) => {
    await signIn(page);
    await openEntity(page, 'aws-acquired-co');
    await expect(card(page)).toContainText(/assum/i);
    await expect(
      card(page).getByRole('button', { name: 'Remediate' }),
    ).toHaveCount(0);
  });
});
