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

const API = `${BACKEND}/api/cloudtrail-encryption`;
const PAYMENTS = '100000000001';
const MANAGEMENT = '111111111111';

interface Reader {
  principal: string;
  kind: 'iam-role' | 'iam-user';
  accountId: string;
  crossAccount: boolean;
  outsideOrganization: boolean;
  lacks?: 'kms:Decrypt' | 's3:GetObject';
  via: unknown[];
  trustedBy?: Array<{ principal: string; permissionSet?: string }>;
}

interface TrailReaders {
  readers: Reader[];
  partial: Reader[];
  unresolved: Array<{ accountId: string; reason: string }>;
}

let headers: Record<string, string>;

/** The readers the backend reports for one trail of an account. */
async function readersOf(
  request: APIRequestContext,
  accountId: string,
  trailName: string,
): Promise<TrailReaders> {
  const res = await request.get(`${API}/accounts/${accountId}`, { headers });
  expect(res.ok()).toBe(true);
  const report = await res.json();
  const trail = report.trails.find((t: any) => t.name === trailName);
  expect(trail, `trail ${trailName} in ${accountId}`).toBeTruthy();
  expect(trail.readers, `readers of ${trailName}`).toBeTruthy();
  return trail.readers;
}

/** What the card calls an IAM role or user: the last segment of its path. */
const nameOf = (arn: string) => arn.split('/').pop()!;

async function openCard(page: Page, entity: string, trailName: string) {
  await signInAsGuest(page);
  await page.goto(`/catalog/default/resource/${entity}`);
  const card = page.getByTestId('cloudtrail-encryption-card');
  const trail = card.getByTestId(`trail-${trailName}`);
  await expect(trail).toBeVisible();
  const section = trail.getByRole('region', { name: 'Who can read the logs' });
  await expect(section).toBeVisible();
  return section;
}

/** The card lists exactly the reported readers, each by name. */
async function expectReadersListed(section: Locator, expected: Reader[]) {
  const list = section.getByRole('list', { name: 'Readers', exact: true });
  const showAll = section.getByRole('button', {
    name: /^Show all \d+: Readers$/,
  });
  if ((await showAll.count()) > 0) await showAll.click();
  const items = list.getByTestId('reader');
  await expect(items).toHaveCount(expected.length);
  const shown = await items.evaluateAll(nodes =>
    nodes.map(node => (node as HTMLElement).dataset.principal),
  );
  expect([...shown].sort()).toEqual(expected.map(r => r.principal).sort());
  for (const reader of expected) {
    const item = list.locator(`[data-principal="${reader.principal}"]`);
    await expect(
      item.getByText(nameOf(reader.principal), { exact: true }),
    ).toBeVisible();
    await expect(
      item.getByText('outside organization', { exact: true }),
    ).toHaveCount(reader.outsideOrganization ? 1 : 0);
    await expect(item.getByText('cross-account', { exact: true })).toHaveCount(
      reader.crossAccount ? 1 : 0,
    );
  }
}

/** Both widths the card must read well at. */
async function shoot(page: Page, target: Locator, name: string) {
  for (const width of [1440, 800]) {
    await page.setViewportSize({ width, height: 1000 });
    await target.scrollIntoViewIfNeeded();
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 1000 });
}

test.beforeAll(async ({ request }) => {
  await resetDemo(request);
  headers = { Authorization: `Bearer ${await guestToken(request)}` };
});

test('payments-prod names who can read its logs, with the path of each', async ({
  page,
  request,
}) => {
  const expected = await readersOf(request, PAYMENTS, 'payments-trail');
  const admin = expected.readers.find(r =>
    /^AWSReservedSSO_AdministratorAccess_/.test(nameOf(r.principal)),
  );
  expect(admin, 'the SSO administrator role reads the logs').toBeTruthy();

  const section = await openCard(page, 'aws-payments-prod', 'payments-trail');
  await expectReadersListed(section, expected.readers);

  // The role links to its page in the IAM console.
  const item = section.locator(`[data-principal="${admin!.principal}"]`);
  await expect(
    item.getByRole('link', { name: nameOf(admin!.principal) }),
  ).toHaveAttribute(
    'href',
    `https://console.aws.amazon.com/iam/home#/roles/details/${nameOf(
      admin!.principal,
    )}`,
  );

  // Expanded: the key policy lets it decrypt, an identity policy gives it
  // the rest, and IAM Identity Center users may become it.
  const toggle = item.getByRole('button', { name: /^Path of / });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const path = item.getByTestId('reader-path');
  const steps = path.getByRole('list', { name: 'Path' }).getByRole('listitem');
  await expect(steps).toHaveCount(admin!.via.length);
  await expect(steps.filter({ hasText: /^Key policy/ })).not.toHaveCount(0);
  await expect(
    steps.filter({ hasText: /^Identity policy .*AdministratorAccess/ }),
  ).not.toHaveCount(0);
  const trustees = path.getByRole('list', { name: 'May be assumed by' });
  expect(admin!.trustedBy?.length).toBeGreaterThan(0);
  await expect(trustees.locator(':scope > li')).toHaveCount(
    admin!.trustedBy!.length,
  );
  for (const trustee of admin!.trustedBy!) {
    if (trustee.permissionSet) {
      await expect(
        trustees.getByText(`permission set ${trustee.permissionSet}`, {
          exact: false,
        }),
      ).toBeVisible();
    }
  }

  // The CI role has kms:* on every key but no S3 access: listed apart, as
  // able to decrypt but not to read the objects.
  const ci = expected.partial.find(p => nameOf(p.principal) === 'ci-deployer');
  expect(ci?.lacks).toBe('s3:GetObject');
  await expect(
    section
      .getByTestId('readers-decrypt-only')
      .locator(`[data-principal="${ci!.principal}"]`)
      .getByText('ci-deployer', { exact: true }),
  ).toBeVisible();
  await expect(
    section
      .getByRole('list', { name: 'Readers', exact: true })
      .locator(`[data-principal="${ci!.principal}"]`),
  ).toHaveCount(0);

  await shoot(page, section, 'card-readers-payments');
});

test('the organization trail shows its readers and, apart, the partial ones', async ({
  page,
  request,
}) => {
  const expected = await readersOf(request, MANAGEMENT, 'org-trail');
  expect(expected.readers.length).toBeGreaterThan(0);
  // Roles with one half only (a boundary without kms:Decrypt, read-only
  // access without the key) are listed apart.
  const decryptOnly = expected.partial.filter(p => p.lacks === 's3:GetObject');
  const readOnly = expected.partial.filter(p => p.lacks === 'kms:Decrypt');
  expect(decryptOnly.length + readOnly.length).toBeGreaterThan(0);

  const section = await openCard(page, 'aws-management', 'org-trail');
  await expectReadersListed(section, expected.readers);

  for (const [testId, partial] of [
    ['readers-decrypt-only', decryptOnly],
    ['readers-read-only', readOnly],
  ] as const) {
    const group = section.getByTestId(testId);
    if (partial.length === 0) {
      await expect(group).toHaveCount(0);
      continue;
    }
    const more = group.getByRole('button', { name: /^Show all \d+:/ });
    if ((await more.count()) > 0) await more.click();
    await expect(group.getByTestId('reader')).toHaveCount(partial.length);
    for (const reader of partial) {
      await expect(
        group
          .locator(`[data-principal="${reader.principal}"]`)
          .getByText(nameOf(reader.principal), { exact: true }),
      ).toBeVisible();
    }
  }
  // Partial readers are not among the readers.
  const readers = section.getByRole('list', { name: 'Readers', exact: true });
  for (const reader of expected.partial) {
    await expect(
      readers.locator(`[data-principal="${reader.principal}"]`),
    ).toHaveCount(0);
  }

  // The key policy's own principals stay under the readers, folded.
  const keyPolicy = section.getByTestId('key-policy-principals');
  await keyPolicy
    .getByRole('button', { name: /^Key-policy principals/ })
    .click();
  await expect(
    keyPolicy.getByRole('list', { name: 'Decrypt principals' }),
  ).toBeVisible();

  // A cross-account reader's path names the statements that let it in.
  const first = readers.getByTestId('reader').first();
  await first.getByRole('button', { name: /^Path of / }).click();
  await expect(
    first.getByTestId('reader-path').getByRole('listitem').first(),
  ).toContainText(/statement/);

  await shoot(page, section, 'card-readers-org-trail');
});

test('the fleet page filters on accounts read from outside the organization', async ({
  page,
  request,
}) => {
  const res = await request.get(`${API}/accounts?outsideReaders=true`, {
    headers,
  });
  expect(res.ok(), await res.text()).toBe(true);
  const { items } = await res.json();
  expect(items.length).toBeGreaterThan(0);
  for (const item of items) expect(item.outsideReadersCount).toBeGreaterThan(0);

  await signInAsGuest(page);
  await page.goto('/cloudtrail-encryption');
  const filter = page.getByRole('checkbox', {
    name: 'Readers outside the organization',
  });
  await expect(filter).not.toBeChecked();
  await filter.check();
  await expect(page).toHaveURL(/[?&]outsideReaders=true/);

  const rows = page.getByTestId('fleet-table').locator('tbody tr');
  await expect(rows).toHaveCount(items.length);
  for (const item of items) {
    const row = rows.filter({ hasText: item.accountId });
    await expect(row.getByTestId('outside-readers-count')).toHaveText(
      `${item.outsideReadersCount} outside org`,
    );
  }
  await screenshot(page, 'fleet-outside-readers');
});
