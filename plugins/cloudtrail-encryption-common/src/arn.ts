import { parse as parseArnParts, validate } from '@aws-sdk/util-arn-parser';

/**
 * `arn:partition:service:region:account:resource`, split. The resource part
 * may itself hold colons (`trail/name`, `key/id`, `role/path/name`).
 *
 * @public
 */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

/**
 * The partitions TrailGuard knows the console and service principals of.
 *
 * @public
 */
export type AwsPartition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** @public */
export const AWS_PARTITIONS: readonly AwsPartition[] = [
  'aws',
  'aws-cn',
  'aws-us-gov',
];

/**
 * Splits an ARN into its six parts with `@aws-sdk/util-arn-parser`;
 * undefined when the value is not an ARN.
 *
 * @public
 */
export function parseArn(value: string | undefined): ParsedArn | undefined {
  if (!value || !validate(value)) return undefined;
  try {
    const arn = parseArnParts(value);
    return {
      partition: arn.partition,
      service: arn.service,
      region: arn.region,
      accountId: arn.accountId,
      resource: arn.resource,
    };
  } catch {
    return undefined;
  }
}

/**
 * The 12-digit account of an ARN, or undefined.
 *
 * @public
 */
export function accountIdFromArn(arn: string | undefined): string | undefined {
  const accountId = parseArn(arn)?.accountId;
  return accountId && /^\d{12}$/.test(accountId) ? accountId : undefined;
}

/**
 * The Region of an ARN, or undefined for global resources.
 *
 * @public
 */
export function regionFromArn(arn: string | undefined): string | undefined {
  return parseArn(arn)?.region || undefined;
}

/**
 * The partition of an ARN when it is one TrailGuard knows, else undefined.
 *
 * @public
 */
export function partitionOf(arn: string | undefined): AwsPartition | undefined {
  const partition = parseArn(arn)?.partition;
  return AWS_PARTITIONS.find(p => p === partition);
}

/**
 * The partition a Region belongs to (`cn-north-1` → `aws-cn`,
 * `us-gov-west-1` → `aws-us-gov`, anything else → `aws`).
 *
 * @public
 */
export function partitionOfRegion(region: string | undefined): AwsPartition {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const CONSOLE_HOSTS: Record<AwsPartition, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

function consoleBase(partition: AwsPartition, region?: string): string {
  const host = CONSOLE_HOSTS[partition];
  // The commercial console serves each Region from its own host; the China
  // and GovCloud consoles have one host per partition.
  return partition === 'aws' && region
    ? `https://${region}.${host}`
    : `https://${host}`;
}

const q = encodeURIComponent;

/**
 * Console deep links for the resources a finding is about, in the ARN's own
 * partition (a GovCloud trail never links to the commercial console).
 *
 * @public
 */
export const consoleLinks = {
  /** The trail's page in the CloudTrail console of its home Region. */
  trail(trailArn: string): string | undefined {
    const arn = parseArn(trailArn);
    const partition = partitionOf(trailArn);
    if (!arn || !partition || arn.service !== 'cloudtrail' || !arn.region) {
      return undefined;
    }
    return `${consoleBase(partition, arn.region)}/cloudtrail/home?region=${q(
      arn.region,
    )}#/trails/${q(trailArn)}`;
  },

  /**
   * The key's page in the KMS console; it opens on the Key policy tab.
   */
  key(keyArn: string): string | undefined {
    const arn = parseArn(keyArn);
    const partition = partitionOf(keyArn);
    const id = arn?.resource.match(/^key\/(.+)$/)?.[1];
    if (!arn || !partition || arn.service !== 'kms' || !arn.region || !id) {
      return undefined;
    }
    return `${consoleBase(partition, arn.region)}/kms/home?region=${q(
      arn.region,
    )}#/kms/keys/${q(id)}`;
  },

  /** The bucket's page in the S3 console (bucket names are global). */
  bucket(
    bucket: string,
    region: string | undefined,
    partition: AwsPartition = partitionOfRegion(region),
  ): string {
    const base =
      partition === 'aws'
        ? `https://s3.${CONSOLE_HOSTS.aws}`
        : consoleBase(partition);
    const suffix = region ? `?region=${q(region)}` : '';
    return `${base}/s3/buckets/${q(bucket)}${suffix}`;
  },

  /** An IAM role's page (IAM is global within a partition). */
  role(roleArn: string): string | undefined {
    const arn = parseArn(roleArn);
    const partition = partitionOf(roleArn);
    const name = arn?.resource.match(/^role\/(?:.*\/)?([^/]+)$/)?.[1];
    if (!arn || !partition || arn.service !== 'iam' || !name) return undefined;
    const base =
      partition === 'aws'
        ? `https://${CONSOLE_HOSTS.aws}`
        : consoleBase(partition);
    return `${base}/iam/home#/roles/details/${q(name)}`;
  },

  /**
   * An IAM role's or user's page, whichever the ARN names; undefined for
   * other ARNs (an assumed-role session has no page of its own).
   */
  iamPrincipal(principalArn: string): string | undefined {
    const arn = parseArn(principalArn);
    const partition = partitionOf(principalArn);
    const match = arn?.resource.match(/^(role|user)\/(?:.*\/)?([^/]+)$/);
    if (!arn || !partition || arn.service !== 'iam' || !match) {
      return undefined;
    }
    const base =
      partition === 'aws'
        ? `https://${CONSOLE_HOSTS.aws}`
        : consoleBase(partition);
    return `${base}/iam/home#/${match[1]}s/details/${q(match[2])}`;
  },
};
