import { parsePolicy, policyDocumentProblem } from '../policy';
import {
  requireWrite,
  type Handler,
  type RequestContext,
  type S3Request,
} from '../server/context';
import {
  AwsError,
  el,
  esc,
  HttpResult,
  isoSeconds,
  node,
  s3Result,
} from '../server/protocol';
import type { BucketRecord } from '../state/records';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Maps a path-style REST request to the S3 operation it calls. */
export function s3Operation(req: S3Request): string | undefined {
  const q = req.query;
  if (!req.bucket) return req.method === 'GET' ? 'ListBuckets' : undefined;
  if (req.key) return undefined;
  if (req.method === 'HEAD') return 'HeadBucket';
  if (req.method === 'GET' && q.has('location')) return 'GetBucketLocation';
  if (req.method === 'GET' && q.has('encryption')) return 'GetBucketEncryption';
  if (req.method === 'GET' && q.has('publicAccessBlock')) {
    return 'GetPublicAccessBlock';
  }
  if (q.has('policy')) {
    if (req.method === 'GET') return 'GetBucketPolicy';
    if (req.method === 'PUT') return 'PutBucketPolicy';
    if (req.method === 'DELETE') return 'DeleteBucketPolicy';
  }
  return undefined;
}

function canRead(ctx: RequestContext, b: BucketRecord): boolean {
  return (
    b.account === ctx.caller.accountId ||
    b.readers.includes(ctx.caller.accountId)
  );
}

function bucketFor(ctx: RequestContext, head = false): BucketRecord {
  const name = ctx.s3!.bucket!;
  const b = ctx.state.buckets.get(name);
  if (!b) {
    throw head
      ? new AwsError('NotFound', 'Not Found', 404, { noBody: true })
      : new AwsError(
          'NoSuchBucket',
          'The specified bucket does not exist',
          404,
          {
            fields: { BucketName: name },
          },
        );
  }
  // The sandbox is every Region's endpoint at once, so the Region a request
  // reached is the one it was signed for. S3 sends a path-style request that
  // reached another Region's endpoint back to the bucket's own, before it
  // looks at who is asking.
  if (b.region !== ctx.region && ctx.operation !== 'GetBucketLocation') {
    throw new AwsError(
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      301,
      {
        noBody: head,
        headers: { 'x-amz-bucket-region': b.region },
        fields: { Endpoint: `s3.${b.region}.amazonaws.com`, Bucket: name },
      },
    );
  }
  if (!canRead(ctx, b)) {
    // S3 reveals the Region even when it refuses access, which is how
    // callers learn where a bucket they cannot read lives.
    throw new AwsError('AccessDenied', 'Access Denied', 403, {
      noBody: head,
      headers: { 'x-amz-bucket-region': b.region },
    });
  }
  return b;
}

function headBucket(ctx: RequestContext): HttpResult {
  const b = bucketFor(ctx, true);
  return {
    status: 200,
    headers: {
      'x-amz-bucket-region': b.region,
      'x-amz-access-point-alias': 'false',
      'content-type': 'application/xml',
    },
    body: '',
  };
}

function getBucketLocation(ctx: RequestContext): HttpResult {
  const b = bucketFor(ctx);
  // us-east-1 buckets report an empty LocationConstraint, for historic reasons.
  const body =
    b.region === 'us-east-1'
      ? `<LocationConstraint xmlns="${S3_NS}"/>`
      : `<LocationConstraint xmlns="${S3_NS}">${esc(
          b.region,
        )}</LocationConstraint>`;
  return s3Result(body);
}

function getBucketEncryption(ctx: RequestContext): HttpResult {
  const b = bucketFor(ctx);
  const byDefault = node('ApplyServerSideEncryptionByDefault', [
    el('SSEAlgorithm', b.algorithm),
    el(
      'KMSMasterKeyID',
      b.algorithm.startsWith('aws:kms') ? b.kmsKey : undefined,
    ),
  ]);
  const rule = node('Rule', [
    byDefault,
    el('BucketKeyEnabled', b.bucketKeyEnabled),
  ]);
  return s3Result(
    `<ServerSideEncryptionConfiguration xmlns="${S3_NS}">${rule}</ServerSideEncryptionConfiguration>`,
  );
}

/**
 * S3 answers GetBucketPolicy and GetPublicAccessBlock to the bucket owner's
 * account only, whatever the bucket policy grants: other accounts get
 * AccessDenied (after the Region redirect).
 */
function ownerOnly(ctx: RequestContext): BucketRecord {
  const b = bucketFor(ctx);
  if (b.account !== ctx.caller.accountId) {
    throw new AwsError('AccessDenied', 'Access Denied', 403);
  }
  return b;
}

/**
 * A bucket without a policy answers `NoSuchBucketPolicy`. S3 returns the
 * document as stored.
 */
function getBucketPolicy(ctx: RequestContext): HttpResult {
  const b = ownerOnly(ctx);
  if (!b.policy) {
    throw new AwsError(
      'NoSuchBucketPolicy',
      'The bucket policy does not exist',
      404,
      { fields: { BucketName: b.name } },
    );
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: b.policy,
  };
}

function getPublicAccessBlock(ctx: RequestContext): HttpResult {
  const b = ownerOnly(ctx);
  const c = b.publicAccessBlock;
  if (!c) {
    throw new AwsError(
      'NoSuchPublicAccessBlockConfiguration',
      'The public access block configuration was not found',
      404,
      { fields: { BucketName: b.name } },
    );
  }
  return s3Result(
    `<PublicAccessBlockConfiguration xmlns="${S3_NS}">${[
      el('BlockPublicAcls', c.blockPublicAcls),
      el('IgnorePublicAcls', c.ignorePublicAcls),
      el('BlockPublicPolicy', c.blockPublicPolicy),
      el('RestrictPublicBuckets', c.restrictPublicBuckets),
    ].join('')}</PublicAccessBlockConfiguration>`,
  );
}

/** Only the bucket's own account may change its policy. */
function ownBucketForWrite(ctx: RequestContext): BucketRecord {
  const b = ownerOnly(ctx);
  requireWrite(ctx, `arn:aws:s3:::${b.name}`);
  return b;
}

function putBucketPolicy(ctx: RequestContext): HttpResult {
  const b = ownBucketForWrite(ctx);
  const text = typeof ctx.params.Body === 'string' ? ctx.params.Body : '';
  const doc = parsePolicy(text);
  const problem = doc ? policyDocumentProblem(doc, 's3') : undefined;
  if (!doc || problem) {
    throw new AwsError(
      'MalformedPolicy',
      problem ?? "Policies must be valid JSON and the first byte must be '{'",
      400,
    );
  }
  b.policy = text;
  ctx.state.touchDelivery(t => t.bucket === b.name);
  return { status: 204, headers: {}, body: '' };
}

function deleteBucketPolicy(ctx: RequestContext): HttpResult {
  const b = ownBucketForWrite(ctx);
  b.policy = undefined;
  ctx.state.touchDelivery(t => t.bucket === b.name);
  return { status: 204, headers: {}, body: '' };
}

function listBuckets(ctx: RequestContext): HttpResult {
  const own = [...ctx.state.buckets.values()].filter(
    b => b.account === ctx.caller.accountId,
  );
  const buckets = own.map(b =>
    node('Bucket', [
      el('Name', b.name),
      el('CreationDate', isoSeconds(b.creationDate)),
      el('BucketRegion', b.region),
    ]),
  );
  const owner = node('Owner', [el('ID', ctx.caller.accountId.padEnd(64, '0'))]);
  return s3Result(
    `<ListAllMyBucketsResult xmlns="${S3_NS}">${owner}${node(
      'Buckets',
      buckets,
    )}</ListAllMyBucketsResult>`,
  );
}

export const s3Handlers: Record<string, Handler> = {
  HeadBucket: headBucket,
  GetBucketLocation: getBucketLocation,
  GetBucketEncryption: getBucketEncryption,
  ListBuckets: listBuckets,
  GetBucketPolicy: getBucketPolicy,
  GetPublicAccessBlock: getPublicAccessBlock,
  PutBucketPolicy: putBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
};
