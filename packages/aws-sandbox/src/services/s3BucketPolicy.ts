import { parsePolicy, policyAllows } from '../policy';
import { AwsError } from '../server/protocol';
import type { BucketRecord, TrailRecord } from '../state/records';

export const CLOUDTRAIL_SERVICE = 'cloudtrail.amazonaws.com';

/** `prefix/` or nothing, as CloudTrail writes it in front of `AWSLogs/`. */
function prefixPath(prefix: string | undefined): string {
  return prefix ? `${prefix.replace(/\/+$/, '')}/` : '';
}

/**
 * The object prefixes a trail writes to: `AWSLogs/<account>/` and, for an
 * organization trail, `AWSLogs/<organization id>/` as well.
 */
export function trailLogPrefixes(
  trail: Pick<TrailRecord, 'account' | 's3KeyPrefix' | 'organization'>,
  organizationId?: string,
): string[] {
  const base = `${prefixPath(trail.s3KeyPrefix)}AWSLogs/`;
  const prefixes = [`${base}${trail.account}/`];
  if (trail.organization && organizationId) {
    prefixes.push(`${base}${organizationId}/`);
  }
  return prefixes;
}

/**
 * The bucket policy the CloudTrail console writes for the trails that
 * deliver to a bucket (CloudTrail User Guide, "Amazon S3 bucket policy for
 * CloudTrail"): GetBucketAcl, and PutObject under each trail's log prefix
 * with `bucket-owner-full-control`, both pinned to the trail by
 * `aws:SourceArn`.
 */
export function consoleBucketPolicy(
  bucket: string,
  trails: TrailRecord[],
  organizationId?: string,
): string | undefined {
  if (trails.length === 0) return undefined;
  const sourceArns = [...new Set(trails.map(t => t.arn))].sort();
  const objects = [
    ...new Set(
      trails.flatMap(t =>
        trailLogPrefixes(t, organizationId).map(
          p => `arn:aws:s3:::${bucket}/${p}*`,
        ),
      ),
    ),
  ].sort();
  const one = (values: string[]) => (values.length === 1 ? values[0] : values);
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AWSCloudTrailAclCheck',
          Effect: 'Allow',
          Principal: { Service: CLOUDTRAIL_SERVICE },
          Action: 's3:GetBucketAcl',
          Resource: `arn:aws:s3:::${bucket}`,
          Condition: { StringEquals: { 'aws:SourceArn': one(sourceArns) } },
        },
        {
          Sid: 'AWSCloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: CLOUDTRAIL_SERVICE },
          Action: 's3:PutObject',
          Resource: one(objects),
          Condition: {
            StringEquals: {
              's3:x-amz-acl': 'bucket-owner-full-control',
              'aws:SourceArn': one(sourceArns),
            },
          },
        },
      ],
    },
    null,
    2,
  );
}

/**
 * Whether the bucket policy lets CloudTrail check the bucket ACL and write
 * this trail's log files (for an organization trail: under both prefixes).
 */
export function cloudTrailCanWrite(
  bucket: BucketRecord,
  trail: TrailRecord,
  organizationId?: string,
): boolean {
  const doc = bucket.policy ? parsePolicy(bucket.policy) : undefined;
  if (!doc) return false;
  const context = {
    'aws:SourceArn': trail.arn,
    'aws:SourceAccount': trail.account,
  };
  const aclCheck = policyAllows(doc, {
    action: 's3:GetBucketAcl',
    servicePrincipal: CLOUDTRAIL_SERVICE,
    resource: `arn:aws:s3:::${bucket.name}`,
    context,
  });
  const date = '2026/01/01';
  const writes = trailLogPrefixes(trail, organizationId).every(p =>
    policyAllows(doc, {
      action: 's3:PutObject',
      servicePrincipal: CLOUDTRAIL_SERVICE,
      resource: `arn:aws:s3:::${bucket.name}/${p}${
        trail.organization && !p.includes(`/${trail.account}/`)
          ? `${trail.account}/`
          : ''
      }CloudTrail/${trail.homeRegion}/${date}/${trail.account}_CloudTrail_${
        trail.homeRegion
      }_20260101T0000Z_sandbox.json.gz`,
      context: { ...context, 's3:x-amz-acl': 'bucket-owner-full-control' },
    }),
  );
  return aclCheck && writes;
}

/** CloudTrail's refusal when the bucket policy does not let it deliver. */
export function insufficientBucketPolicy(bucket: string): AwsError {
  return new AwsError(
    'InsufficientS3BucketPolicyException',
    `Incorrect S3 bucket policy is detected for bucket: ${bucket}`,
  );
}
