import {
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  paginateListTrails,
} from '@aws-sdk/client-cloudtrail';
import type { AwsAccess } from './AwsAccess';
import { CallDeadlines } from './callDeadline';
import { accountIdFromArn } from '../policy/arn';

/**
 * A trail as ListTrails names it.
 *
 * @public
 */
export interface TrailSummaryRecord {
  trailArn: string;
  name: string;
  homeRegion: string;
}

/**
 * A trail's configuration as DescribeTrails returns it.
 *
 * @public
 */
export interface TrailRecord extends TrailSummaryRecord {
  ownerAccountId: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  s3BucketName: string;
  /** The prefix CloudTrail writes under, before `AWSLogs/`. */
  s3KeyPrefix?: string;
  /** The key ARN when the trail uses SSE-KMS. */
  kmsKeyId?: string;
}

/** @public */
export interface TrailStatusRecord {
  isLogging?: boolean;
  latestDeliveryError?: string;
  latestDeliveryTime?: string;
  /** When CloudTrail last tried to deliver, and when such a try last succeeded. */
  latestDeliveryAttemptTime?: string;
  latestDeliveryAttemptSucceeded?: string;
}

/** Reads CloudTrail: I/O only, no judgement. */
export class TrailReader {
  readonly #deadlines: CallDeadlines;

  constructor(
    private readonly aws: AwsAccess,
    private readonly options: { defaultRegion: string; callTimeoutMs: number },
  ) {
    this.#deadlines = CallDeadlines.for(options.callTimeoutMs);
  }

  /** ListTrails returns the trails of every Region, so one call plan per account. */
  listTrails(accountId: string): Promise<TrailSummaryRecord[]> {
    return this.aws.as(accountId, async account => {
      const client = account.cloudTrail(this.options.defaultRegion);
      const trails: TrailSummaryRecord[] = [];
      for await (const page of paginateListTrails({ client }, {})) {
        for (const t of page.Trails ?? []) {
          if (!t.TrailARN || !t.HomeRegion) continue;
          trails.push({
            trailArn: t.TrailARN,
            name: t.Name ?? t.TrailARN.split('/').pop()!,
            homeRegion: t.HomeRegion,
          });
        }
      }
      return trails;
    });
  }

  /**
   * DescribeTrails in one Region. Without names it returns the trails whose
   * home is that Region (shadow trails excluded); with ARNs it returns those.
   */
  async describeTrails(
    accountId: string,
    region: string,
    trailArns?: string[],
  ): Promise<TrailRecord[]> {
    const out = await this.aws.as(accountId, account =>
      account.cloudTrail(region).send(
        new DescribeTrailsCommand({
          trailNameList: trailArns,
          includeShadowTrails: Boolean(trailArns),
        }),
        { abortSignal: this.#deadlines.signal() },
      ),
    );
    return (out.trailList ?? []).flatMap(t => {
      if (!t.TrailARN || !t.Name || !t.HomeRegion) return [];
      return [
        {
          trailArn: t.TrailARN,
          name: t.Name,
          homeRegion: t.HomeRegion,
          ownerAccountId: accountIdFromArn(t.TrailARN) ?? accountId,
          isMultiRegionTrail: Boolean(t.IsMultiRegionTrail),
          isOrganizationTrail: Boolean(t.IsOrganizationTrail),
          s3BucketName: t.S3BucketName ?? '',
          ...(t.S3KeyPrefix ? { s3KeyPrefix: t.S3KeyPrefix } : {}),
          kmsKeyId: t.KmsKeyId || undefined,
        },
      ];
    });
  }

  async getTrailStatus(
    accountId: string,
    region: string,
    trailArn: string,
  ): Promise<TrailStatusRecord> {
    const out = await this.aws.as(accountId, account =>
      account
        .cloudTrail(region)
        .send(new GetTrailStatusCommand({ Name: trailArn }), {
          abortSignal: this.#deadlines.signal(),
        }),
    );
    return {
      isLogging: out.IsLogging,
      latestDeliveryError: out.LatestDeliveryError || undefined,
      latestDeliveryTime: out.LatestDeliveryTime?.toISOString(),
      latestDeliveryAttemptTime: out.LatestDeliveryAttemptTime || undefined,
      latestDeliveryAttemptSucceeded:
        out.LatestDeliveryAttemptSucceeded || undefined,
    };
  }
}
