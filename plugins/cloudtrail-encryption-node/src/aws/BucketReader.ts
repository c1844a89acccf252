import type { AwsAccess } from './AwsAccess';
import { readBucketRegion } from './bucketRegion';
import { CallDeadlines } from './callDeadline';

/** Reads a bucket's Region: I/O only. */
export class BucketReader {
  readonly #deadlines: CallDeadlines;

  constructor(
    private readonly aws: AwsAccess,
    private readonly options: { defaultRegion: string; callTimeoutMs: number },
  ) {
    this.#deadlines = CallDeadlines.for(options.callTimeoutMs);
  }

  /**
   * HeadBucket in the default Region, signed as `accountId`: the answer
   * names the bucket's Region whoever owns it (see {@link readBucketRegion}).
   */
  bucketRegion(accountId: string, bucket: string): Promise<string> {
    return this.aws.as(accountId, account =>
      readBucketRegion(account.s3(this.options.defaultRegion), bucket, {
        abortSignal: this.#deadlines.signal(),
      }),
    );
  }
}
