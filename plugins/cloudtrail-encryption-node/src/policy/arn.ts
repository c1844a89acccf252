/**
 * ARNs with their partitions: the browser-safe implementation in -common,
 * re-exported so the engine and the remediation actions use the same one.
 */
export {
  // Parsing
  parseArn,
  accountIdFromArn,
  regionFromArn,
  type ParsedArn,
  // Partitions and console links
  AWS_PARTITIONS,
  partitionOf,
  partitionOfRegion,
  consoleLinks,
  type AwsPartition,
} from '@trailguard/plugin-cloudtrail-encryption-common';
