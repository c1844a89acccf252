import {
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3';
import type { AwsAccess } from './AwsAccess';
import { CallDeadlines } from './callDeadline';
import { describeAwsError } from './errors';

/**
 * Reads a bucket's policy and Block Public Access settings: I/O only.
 *
 * @public
 */
export class BucketPolicyReader {
  readonly #deadlines: CallDeadlines;

  constructor(
    private readonly aws: AwsAccess,
    options: { callTimeoutMs: number },
  ) {
    this.#deadlines = CallDeadlines.for(options.callTimeoutMs);
  }

  /**
   * GetBucketPolicy signed as `accountId` with ExpectedBucketOwner set to
   * it, so that S3 refuses (403) unless that account owns the bucket: a
   * bucket owner is learned without ListBuckets in every account. Null when
   * the bucket has no policy (NoSuchBucketPolicy).
   */
  async bucketPolicy(
    accountId: string,
    region: string,
    bucket: string,
  ): Promise<string | null> {
    try {
      const out = await this.aws.as(accountId, account =>
        account.s3(region).send(
          new GetBucketPolicyCommand({
            Bucket: bucket,
            ExpectedBucketOwner: accountId,
          }),
          { abortSignal: this.#signal() },
        ),
      );
      return out.Policy ?? null;
    } catch (error) {
      if (describeAwsError(error).code === 'NoSuchBucketPolicy') return null;
      throw error;
    }
  }

  /** Null when the bucket has no Block Public Access configuration. */
  async publicAccessBlock(
    accountId: string,
    region: string,
    bucket: string,
  ): Promise<PublicAccessBlockConfiguration | null> {
    try {
      const out = await this.aws.as(accountId, account =>
        account.s3(region).send(
          new GetPublicAccessBlockCommand({
            Bucket: bucket,
            ExpectedBucketOwner: accountId,
          }),
          { abortSignal: this.#signal() },
        ),
      );
      return out.PublicAccessBlockConfiguration ?? null;
    } catch (error) {
      const { code } = describeAwsError(error);
      if (code === 'NoSuchPublicAccessBlockConfiguration') return null;
      throw error;
    }
  }

  #signal() {
    return this.#deadlines.signal();
  }
}
