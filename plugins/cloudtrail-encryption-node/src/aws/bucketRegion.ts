import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';

const REGION_HEADER = 'x-amz-bucket-region';

/**
 * Reads a bucket's Region with HeadBucket. S3 names the Region in
 * `x-amz-bucket-region` on 200, and also when the caller may not read the
 * bucket (403) or asked the wrong Region (301), so a role needs no access to
 * a central log bucket in another account. Any other failure is the SDK's
 * error, unchanged (a missing bucket is a 404).
 *
 * @public
 */
export async function readBucketRegion(
  client: Pick<S3Client, 'send'>,
  bucket: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<string> {
  try {
    const out = await client.send(
      new HeadBucketCommand({ Bucket: bucket }),
      options,
    );
    if (out.BucketRegion) return out.BucketRegion;
    throw new Error(
      `HeadBucket of ${bucket} returned no ${REGION_HEADER} header`,
    );
  } catch (error) {
    const { $response, $metadata } = error as {
      $response?: { headers?: Record<string, string> };
      $metadata?: { httpStatusCode?: number };
    };
    const region = $response?.headers?.[REGION_HEADER];
    if (region) return region;
    // The SDK names a bodiless HEAD redirect just "301"; say what it means.
    if ($metadata?.httpStatusCode === 301) {
      throw new Error(
        `S3 redirected HeadBucket for ${bucket} to another Region without naming it in ${REGION_HEADER}`,
        { cause: error },
      );
    }
    throw error;
  }
}
