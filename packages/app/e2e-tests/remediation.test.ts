import { expect, test, type APIRequestContext } from '@playwright/test';
import { BACKEND, guestToken, resetDemo } from './helpers';

/**
 * Runs the remediation template through the scaffolder's task API on the
 * running backend, then reads the account's TrailGuard report.
 */
async function runTemplate(
  request: APIRequestContext,
  headers: Record<string, string>,
  values: Record<string, unknown>,
) {
  const created = await request.post(`${BACKEND}/api/scaffolder/v2/tasks`, {
    headers,
    data: { templateRef: 'template:default/cloudtrail-sse-kms', values },
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
});
