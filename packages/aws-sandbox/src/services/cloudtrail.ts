import {
  decodeToken,
  encodeToken,
  Handler,
  RequestContext,
  requireWrite,
} from '../server/context';
import { AwsError, compact, epoch, isoSeconds } from '../server/protocol';
import type { TrailRecord } from '../state/records';
import { resolveTrailKey } from './cloudtrailKms';
import { attemptDelivery } from './delivery';
import { cloudTrailCanWrite, insufficientBucketPolicy } from './s3BucketPolicy';

const TRAIL_ARN_RE =
  /^arn:aws:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9._-]+$/;

function trailNotFound(ctx: RequestContext, name: string): AwsError {
  return new AwsError(
    'TrailNotFoundException',
    `Unknown trail: ${name} for the user: ${ctx.caller.accountId}`,
  );
}

/**
 * Finds a trail by ARN (any Region, including organization trails the caller
 * belongs to) or by name (the caller's own trails visible in this Region).
 */
export function findTrail(
  ctx: RequestContext,
  nameOrArn: unknown,
): TrailRecord {
  if (typeof nameOrArn !== 'string' || nameOrArn === '') {
    throw new AwsError(
      'InvalidTrailNameException',
      'Trail name or ARN can only contain ASCII letters, digits, periods, underscores and hyphens.',
    );
  }
  const viewer = ctx.caller.accountId;
  if (nameOrArn.startsWith('arn:')) {
    if (!TRAIL_ARN_RE.test(nameOrArn)) {
      throw new AwsError(
        'CloudTrailARNInvalidException',
        `Invalid trail ARN: ${nameOrArn}`,
      );
    }
    const t = ctx.state.trails.get(nameOrArn);
    if (!t || !ctx.state.trailVisible(t, viewer))
      throw trailNotFound(ctx, nameOrArn);
    return t;
  }
  const candidates = ctx.state
    .visibleTrails(viewer, ctx.region)
    .filter(t => t.account === viewer && t.name === nameOrArn)
    .sort(
      (a, b) =>
        Number(b.homeRegion === ctx.region) -
        Number(a.homeRegion === ctx.region),
    );
  if (!candidates[0]) throw trailNotFound(ctx, nameOrArn);
  return candidates[0];
}

function trailFields(t: TrailRecord) {
  return {
    Name: t.name,
    S3BucketName: t.bucket,
    S3KeyPrefix: t.s3KeyPrefix,
    IncludeGlobalServiceEvents: t.includeGlobalServiceEvents,
    IsMultiRegionTrail: t.multiRegion,
    TrailARN: t.arn,
    LogFileValidationEnabled: t.logFileValidation,
    KmsKeyId: t.kmsKeyArn,
    IsOrganizationTrail: t.organization,
  };
}

export function describeTrail(t: TrailRecord) {
  return compact({
    ...trailFields(t),
    HomeRegion: t.homeRegion,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
  });
}

const byArn = (a: TrailRecord, b: TrailRecord) => a.arn.localeCompare(b.arn);

function listTrails(ctx: RequestContext) {
  const viewer = ctx.caller.accountId;
  const all = ctx.state.visibleTrails(viewer).sort(byArn);
  const salt = `trails/${viewer}`;
  const size = ctx.state.listTrailsPageSize;
  const start = decodeToken(
    ctx.params.NextToken,
    salt,
    () => new AwsError('InvalidNextTokenException', 'Invalid NextToken.'),
  );
  const page = all.slice(start, start + size);
  return compact({
    Trails: page.map(t => ({
      TrailARN: t.arn,
      Name: t.name,
      HomeRegion: t.homeRegion,
    })),
    NextToken:
      start + size < all.length ? encodeToken(start + size, salt) : undefined,
  });
}

function describeTrails(ctx: RequestContext) {
  const viewer = ctx.caller.accountId;
  const region = ctx.region;
  const shadows = ctx.params.includeShadowTrails !== false;
  const names: unknown[] = Array.isArray(ctx.params.trailNameList)
    ? ctx.params.trailNameList
    : [];
  const isHome = (t: TrailRecord) =>
    t.homeRegion === region && t.account === viewer;
  let result: TrailRecord[];
  if (names.length === 0) {
    result = ctx.state
      .visibleTrails(viewer, region)
      .filter(t => shadows || isHome(t));
  } else {
    const found = new Set<TrailRecord>();
    for (const n of names.map(String)) {
      if (n.startsWith('arn:')) {
        const t = ctx.state.trails.get(n);
        if (t && ctx.state.trailVisible(t, viewer)) found.add(t);
        continue;
      }
      ctx.state
        .visibleTrails(viewer, region)
        .filter(
          t => t.name === n && t.account === viewer && (shadows || isHome(t)),
        )
        .forEach(t => found.add(t));
    }
    result = [...found];
  }
  result.sort((a, b) => Number(isHome(b)) - Number(isHome(a)) || byArn(a, b));
  return { trailList: result.map(describeTrail) };
}

function getTrailStatus(ctx: RequestContext) {
  const t = findTrail(ctx, ctx.params.Name);
  if (t.deliveryDirty) attemptDelivery(ctx.state, t, ctx.now);
  const delivered = t.latestDeliveryTime;
  const attempt =
    t.latestDeliveryAttemptTime ??
    (t.latestDeliveryError
      ? new Date(ctx.now.getTime() - 2 * 60_000)
      : delivered);
  const iso = (d: Date | undefined) => (d ? isoSeconds(d) : '');
  return compact({
    IsLogging: t.isLogging,
    LatestDeliveryError: t.latestDeliveryError,
    LatestDeliveryTime: epoch(delivered),
    LatestDigestDeliveryTime:
      t.logFileValidation && delivered ? epoch(delivered) : undefined,
    StartLoggingTime: epoch(t.startLoggingTime),
    StopLoggingTime: epoch(t.stopLoggingTime),
    LatestDeliveryAttemptTime: iso(attempt),
    LatestDeliveryAttemptSucceeded: iso(delivered),
    LatestNotificationAttemptTime: '',
    LatestNotificationAttemptSucceeded: '',
    TimeLoggingStarted: iso(t.startLoggingTime),
    TimeLoggingStopped: iso(t.stopLoggingTime),
  });
}

/** The trail a write API may change: owned by the caller, in its home Region. */
function ownTrailForWrite(ctx: RequestContext): TrailRecord {
  const t = findTrail(ctx, ctx.params.Name);
  if (t.account !== ctx.caller.accountId) {
    throw new AwsError(
      'NotOrganizationMasterAccountException',
      'The request was rejected because the caller is not the management account of the organization that owns the trail.',
    );
  }
  requireWrite(ctx, t.arn);
  if (t.homeRegion !== ctx.region) {
    throw new AwsError(
      'InvalidHomeRegionException',
      `This operation must be called from the trail's home Region (${t.homeRegion}).`,
    );
  }
  return t;
}

function updateTrail(ctx: RequestContext) {
  const t = ownTrailForWrite(ctx);
  const p = ctx.params;
  const bucketName = p.S3BucketName ?? t.bucket;
  if (p.S3BucketName !== undefined && !ctx.state.buckets.has(bucketName)) {
    throw new AwsError(
      'S3BucketDoesNotExistException',
      `S3 bucket ${bucketName} does not exist.`,
    );
  }
  if (
    p.IsOrganizationTrail === true &&
    ctx.state.organization?.managementAccount !== t.account
  ) {
    throw new AwsError(
      'NotOrganizationMasterAccountException',
      'The request was rejected because the caller is not the management account of an organization.',
    );
  }
  // CloudTrail checks that it can deliver to the destination the update
  // leaves the trail with before it accepts the update.
  const destination: TrailRecord = {
    ...t,
    bucket: bucketName,
    s3KeyPrefix:
      p.S3KeyPrefix !== undefined ? p.S3KeyPrefix || undefined : t.s3KeyPrefix,
    organization:
      typeof p.IsOrganizationTrail === 'boolean'
        ? p.IsOrganizationTrail
        : t.organization,
  };
  const bucket = ctx.state.buckets.get(bucketName);
  if (
    bucket &&
    !cloudTrailCanWrite(bucket, destination, ctx.state.organization?.id)
  ) {
    throw insufficientBucketPolicy(bucketName);
  }
  let kmsKeyArn = t.kmsKeyArn;
  if (typeof p.KmsKeyId === 'string') {
    kmsKeyArn =
      p.KmsKeyId === ''
        ? undefined
        : resolveTrailKey(ctx.state, t, bucketName, p.KmsKeyId).arn;
  }
  t.bucket = bucketName;
  t.kmsKeyArn = kmsKeyArn;
  if (p.S3KeyPrefix !== undefined) t.s3KeyPrefix = p.S3KeyPrefix || undefined;
  if (typeof p.IncludeGlobalServiceEvents === 'boolean') {
    t.includeGlobalServiceEvents = p.IncludeGlobalServiceEvents;
  }
  if (typeof p.IsMultiRegionTrail === 'boolean')
    t.multiRegion = p.IsMultiRegionTrail;
  if (typeof p.EnableLogFileValidation === 'boolean') {
    t.logFileValidation = p.EnableLogFileValidation;
  }
  if (typeof p.IsOrganizationTrail === 'boolean')
    t.organization = p.IsOrganizationTrail;
  t.deliveryDirty = true;
  return compact(trailFields(t));
}

function setLogging(ctx: RequestContext, on: boolean) {
  const t = ownTrailForWrite(ctx);
  if (t.isLogging !== on) {
    t.isLogging = on;
    if (on) t.startLoggingTime = ctx.now;
    t.stopLoggingTime = on ? undefined : ctx.now;
    t.deliveryDirty = true;
  }
  return {};
}

export const cloudtrailHandlers: Record<string, Handler> = {
  ListTrails: listTrails,
  DescribeTrails: describeTrails,
  GetTrail: ctx => ({ Trail: describeTrail(findTrail(ctx, ctx.params.Name)) }),
  GetTrailStatus: getTrailStatus,
  UpdateTrail: updateTrail,
  StartLogging: ctx => setLogging(ctx, true),
  StopLogging: ctx => setLogging(ctx, false),
};
