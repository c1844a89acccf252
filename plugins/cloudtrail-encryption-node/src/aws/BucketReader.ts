import { HeadBucketCommand } from '@aws-sdk/client-s3';
import type { AwsClientFactory } from './AwsClientFactory';

const REGION_HEADER = 'x-amz-bucket-region';

/** Reads a bucket's Region: I/O only. */
export class BucketReader {
  constructor(
    private readonly clients: AwsClientFactory,
    private readonly options: { defaultRegion: string; callTimeoutMs: number },
  ) {}

  /**
   * HeadBucket answers with the bucket's Region in `x-amz-bucket-region` even
   * when the caller may not read the bucket (403) or asked the wrong Region
   * (301), so the scan role needs no access to a central log bucket.
   */
  async bucketRegion(accountId: string, bucket: string): Promise<string> {
    const client = await this.clients.s3ForBucketRegions(
      accountId,
      this.options.defaultRegion,
    );
    try {
      const out = await client.send(new HeadBucketCommand({ Bucket: bucket }), {
        abortSignal: AbortSignal.timeout(this.options.callTimeoutMs),
      });
      const region = out.BucketRegion;
      if (region) return region;
      throw new Error(`HeadBucket returned no ${REGION_HEADER} header`);
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
}
