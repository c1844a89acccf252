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
  sandboxAdminHeaders,
  SANDBOX,
  screenshot,
  signInAsGuest,
} from './helpers';

const API = `${BACKEND}/api/cloudtrail-encryption`;
const DATA_LAKE = '100000000003';
const ACQUIRED = '100000000012';
const SHARED_SERVICES = '100000000009';

let headers: Record<string, string>;

async function report(request: APIRequestContext, accountId: string) {
  const res = await request.get(`${API}/accounts/${accountId}`, { headers });
  expect(res.ok()).toBe(true);
  return res.json();
}

async function mutate(request: APIRequestContext, op: string, args: unknown[]) {
  const res = await request.post(`${SANDBOX}/_sandbox/mutate`, {
    headers: sandboxAdminHeaders(),
    data: { op, args },
  });
  expect(res.ok(), await res.text()).toBe(true);
}

async function rescan(request: APIRequestContext, accountId: string) {
  const res = await request.post(`${API}/accounts/${accountId}/rescan`, {
    headers,
  });
  expect(res.ok(), await res.text()).toBe(true);
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

/** A code block's text as one line per command (continuations joined). */
async function codeText(block: Locator): Promise<string> {
  // The highlighter loads lazily: wait for the code itself.
  await expect(block).toHaveText(/\S/);
  return (await block.innerText()).replace(/ \\\s*\n\s*/g, ' ');
}

test.beforeAll(async ({ request }) => {
  await resetDemo(request);
  headers = { Authorization: `Bearer ${await guestToken(request)}` };
});

test.afterAll(async ({ request }) => {
  await resetDemo(request);
});

test('a wrong-Region trail links to the console and says exactly how to fix it', async ({
  page,
  request,
}) => {
  const dataLake = await report(request, DATA_LAKE);
  const trail = dataLake.trails.find((t: any) => t.name === 'data-lake-trail');
  expect(trail.kmsKey.region).not.toBe(trail.bucketRegion);

  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/aws-data-lake');
  const card = page.getByTestId('cloudtrail-encryption-card');
  const item = card.getByTestId('trail-data-lake-trail');
  await expect(item).toBeVisible();

  // Console deep links, in a new tab, to this trail's real resources.
  const links = item.getByTestId('trail-console-links');
  const trailLink = links.getByRole('link', { name: /^Trail: / });
  await expect(trailLink).toHaveAttribute(
    'href',
    `https://${
      trail.homeRegion
    }.console.aws.amazon.com/cloudtrail/home?region=${
      trail.homeRegion
    }#/trails/${encodeURIComponent(trail.trailArn)}`,
  );
  await expect(links.getByRole('link', { name: /^Bucket: / })).toHaveAttribute(
    'href',
    `https://s3.console.aws.amazon.com/s3/buckets/${trail.s3BucketName}?region=${trail.bucketRegion}`,
  );
  const keyId = trail.kmsKey.arn.split(':key/')[1];
  await expect(
    links.getByRole('link', { name: /^Key policy: / }),
  ).toHaveAttribute(
    'href',
    `https://${trail.kmsKey.region}.console.aws.amazon.com/kms/home?region=${trail.kmsKey.region}#/kms/keys/${keyId}`,
  );
  for (const link of await links.getByRole('link').all()) {
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', /noopener/);
  }

  // The fix: a key in the bucket's Region (a replica of a multi-Region key,
  // else a new key), and the trail moved to it.
  const key = trail.kmsKey;
  const replicaArn = `arn:aws:kms:${trail.bucketRegion}:${key.accountId}:key/${key.keyId}`;
  const expected = key.multiRegion
    ? {
        blocks: 3,
        first: `aws kms replicate-key --key-id ${
          key.primaryKeyArn ?? key.arn
        } --replica-region ${trail.bucketRegion}`,
        last: `aws cloudtrail update-trail --name ${trail.trailArn} --kms-key-id ${replicaArn} --region ${trail.homeRegion}`,
      }
    : {
        blocks: 4,
        first: `aws kms create-key --region ${trail.bucketRegion}`,
        last: `aws cloudtrail update-trail --name ${trail.trailArn} --kms-key-id "$KEY_ARN" --region ${trail.homeRegion}`,
      };
  const finding = card.locator('[data-finding-code="KMS_KEY_REGION_MISMATCH"]');
  await finding.getByRole('button', { name: 'How to fix' }).click();
  const steps = finding.getByRole('list', { name: 'Steps to fix' });
  await expect(steps).toBeVisible();
  const blocks = steps.getByTestId('copyable-code');
  await expect(blocks).toHaveCount(expected.blocks);
  const policy = await codeText(blocks.nth(0));
  expect(policy).toContain(`"aws:SourceArn": "${trail.trailArn}"`);
  expect(policy).toContain(
    `"arn:aws:cloudtrail:*:${trail.ownerAccountId}:trail/*"`,
  );
  expect(await codeText(blocks.nth(1))).toContain(expected.first);
  expect(await codeText(blocks.last())).toContain(expected.last);
  await expect(steps).not.toContainText(/<[^<>\s]+>/);
  await expect(steps.getByRole('button', { name: 'Copy text' })).toHaveCount(
    expected.blocks,
  );
  await shoot(page, finding, 'findings-wrong-region');
});

test('an account whose scan role cannot be assumed says which role to deploy and whom it trusts', async ({
  page,
  request,
}) => {
  const acquired = await report(request, ACQUIRED);
  expect(acquired.scanStatus).toBe('error');
  const estate = await (await request.get(`${API}/estate`, { headers })).json();
  const identity = estate.scanAccess.trustPrincipalArn;
  expect(identity).toMatch(/^arn:aws:iam::\d{12}:/);

  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/aws-acquired-co');
  const block = page.getByTestId('cloudtrail-encryption-role-not-assumable');
  await expect(block).toBeVisible();
  const roleArn = `arn:aws:iam::${ACQUIRED}:role/TrailGuardReadOnly`;
  await expect(block).toContainText(`Deploy role ${roleArn}`);
  await expect(block.getByRole('link', { name: roleArn })).toHaveAttribute(
    'href',
    'https://console.aws.amazon.com/iam/home#/roles/details/TrailGuardReadOnly',
  );
  const policy = await codeText(block.getByTestId('copyable-code'));
  expect(JSON.parse(policy)).toEqual({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: identity },
        Action: 'sts:AssumeRole',
      },
    ],
  });
  await expect(block.getByTestId('scan-role-org-note')).toContainText(
    `"aws:PrincipalOrgID": "${estate.organizationId}"`,
  );
  // No docs URL is configured in development: the doc's path, as text.
  await expect(block).toContainText('docs/iam-policies.md');
  // The raw STS error is only under Details.
  const raw = block.getByTestId('scan-error-details');
  await expect(raw).toBeHidden();
  await shoot(page, block, 'findings-role-not-assumable');
  await block.getByText('Details', { exact: true }).click();
  await expect(raw).toBeVisible();
  await expect(raw).toContainText(acquired.error);
  expect(acquired.error).toContain(roleArn);
});

test('a compliant account with only a low finding says why it is compliant', async ({
  page,
  request,
}) => {
  const shared = await report(request, SHARED_SERVICES);
  const key = shared.trails.find(
    (t: any) => t.kmsKey && t.ownerAccountId === SHARED_SERVICES,
  ).kmsKey;
  await mutate(request, 'setKeyRotation', [key.arn, false]);
  await rescan(request, SHARED_SERVICES);
  const after = await report(request, SHARED_SERVICES);
  expect(after.status).toBe('compliant');
  expect(after.findings.map((f: any) => f.code)).toEqual([
    'KEY_ROTATION_DISABLED',
  ]);

  await signInAsGuest(page);
  await page.goto('/catalog/default/resource/aws-shared-services');
  const card = page.getByTestId('cloudtrail-encryption-card');
  await expect(
    card.getByTestId('cloudtrail-encryption-compliant-hint'),
  ).toContainText(
    'Compliant despite low findings: only critical and high findings block compliance',
  );
  const finding = card.locator('[data-finding-code="KEY_ROTATION_DISABLED"]');
  await finding.getByRole('button', { name: 'How to fix' }).click();
  expect(await codeText(finding.getByTestId('copyable-code'))).toContain(
    `aws kms enable-key-rotation --key-id ${key.arn} --region ${key.region}`,
  );
  await shoot(page, card, 'findings-compliant-hint');
});

test('the fleet counts each account’s readers and sorts on them', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/cloudtrail-encryption');
  const table = page.getByTestId('fleet-table');
  await expect(table.getByTestId('readers-count').first()).toBeVisible();
  await table
    .getByRole('columnheader', { name: 'Readers', exact: true })
    .getByRole('button')
    .first()
    .click();
  await expect(page).toHaveURL(/sort=readersCount&order=asc/);
  await expect
    .poll(async () => {
      const counts = (
        await table.getByTestId('readers-count').allInnerTexts()
      ).map(t => (t === '—' ? -1 : Number(t)));
      return (
        counts.length > 1 && counts.every((c, i) => !i || counts[i - 1] <= c)
      );
    })
    .toBe(true);
});
