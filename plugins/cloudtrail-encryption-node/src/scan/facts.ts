import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import type {
  AccountMembership,
  Finding,
  TrailReaders,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { GrantRecord, KeyMetadataRecord } from '../aws/KeyReader';
import type {
  TrailRecord,
  TrailStatusRecord,
  TrailSummaryRecord,
} from '../aws/TrailReader';
import type { Outcome } from './ScanCache';

// What a scan reads and what a report is built from. Kept apart from the
// engine, the run and the report builder so that each of them imports these
// shapes without importing the others.

/** @public */
export interface ScanAccount {
  accountId: string;
  name?: string;
  /** The account's place in the estate; carried to AccountReport.membership. */
  membership?: AccountMembership;
  /**
   * The account's parents in the organization, root first (`r-…`, then
   * `ou-…`), when the estate read walked the tree; otherwise the scan asks
   * ListParents when the organization's policies are read.
   */
  parentIds?: string[];
}

/**
 * Everything read about one KMS key.
 *
 * @public
 */
export interface KeyFacts {
  keyArn: string;
  region: string;
  accountId: string;
  metadata: Outcome<KeyMetadataRecord>;
  policy?: Outcome<string>;
  rotation?: Outcome<boolean>;
  grants?: Outcome<GrantRecord[]>;
}

/**
 * Everything read about one trail.
 *
 * @public
 */
export interface TrailFacts {
  trail: TrailRecord;
  status: Outcome<TrailStatusRecord>;
  bucketRegion: Outcome<string>;
  key?: KeyFacts;
}

/** A trail ListTrails named that could not be described. */
export interface UnreadTrail {
  summary: TrailSummaryRecord;
  error: string;
}

/** A log bucket's policy, read once per scan with its owner's credentials. */
export interface BucketFacts {
  ownerAccountId?: string;
  /** The policy text; null when the bucket has none. */
  policy?: string | null;
  publicAccessBlock?: Outcome<PublicAccessBlockConfiguration | null>;
  /** Why the policy could not be read (no owner found, or the AWS error). */
  policyError?: string;
}

/** The effective readers of one trail and the findings they raise. */
export interface ReaderResult {
  readers: TrailReaders;
  findings: Finding[];
}
