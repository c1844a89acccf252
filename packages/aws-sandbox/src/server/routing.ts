import type { IncomingHttpHeaders } from 'node:http';
import type { S3Request } from './context';
import { AwsError, isQueryService, ServiceName } from './protocol';
import { s3Operation } from '../services/s3';

export interface AuthInfo {
  accessKeyId: string;
  region: string;
  service: string;
  sessionToken?: string;
}

const SCOPE_RE =
  /Credential=([^/\s,]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

/** Reads the SigV4 credential scope from the Authorization header or a presigned URL. */
export function parseAuth(
  headers: IncomingHttpHeaders,
  url: URL,
): AuthInfo | undefined {
  const header = headers.authorization ?? '';
  let m = SCOPE_RE.exec(header);
  const q = url.searchParams;
  if (!m && q.get('X-Amz-Credential')) {
    m = SCOPE_RE.exec(`Credential=${q.get('X-Amz-Credential')}`);
  }
  if (!m) return undefined;
  const token =
    headers['x-amz-security-token'] ??
    q.get('X-Amz-Security-Token') ??
    undefined;
  return {
    accessKeyId: m[1],
    region: m[3],
    service: m[4],
    sessionToken: Array.isArray(token) ? token[0] : token,
  };
}

const IAM_VERSION = '2010-05-08';

function queryVersion(url: URL, body: string): string | null {
  return (
    new URLSearchParams(body).get('Version') ?? url.searchParams.get('Version')
  );
}

/** X-Amz-Target prefixes each JSON service accepts. */
const TARGET_PREFIXES: Record<string, ServiceName> = {
  TrentService: 'kms',
  CloudTrail_20131101: 'cloudtrail',
  'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101': 'cloudtrail',
  AWSOrganizationsV20161128: 'organizations',
};

const SERVICES: ServiceName[] = [
  'sts',
  'iam',
  'organizations',
  'cloudtrail',
  'kms',
  's3',
];

function splitTarget(target: string | undefined) {
  if (!target) return undefined;
  const dot = target.lastIndexOf('.');
  if (dot < 0) return undefined;
  return { prefix: target.slice(0, dot), operation: target.slice(dot + 1) };
}

/**
 * Picks the service from the request itself, as AWS's endpoints do, so a
 * signature scoped to another service can be refused rather than obeyed.
 * A scope naming a service the sandbox does not serve has no endpoint here.
 */
export function resolveService(
  auth: AuthInfo | undefined,
  headers: IncomingHttpHeaders,
  method: string,
  url: URL,
  body = '',
): ServiceName | undefined {
  if (auth && !SERVICES.includes(auth.service as ServiceName)) return undefined;
  const target = splitTarget(headers['x-amz-target'] as string | undefined);
  if (target) return TARGET_PREFIXES[target.prefix];
  const form = String(headers['content-type'] ?? '').includes(
    'x-www-form-urlencoded',
  );
  if (method === 'POST' && url.pathname === '/' && form) {
    // STS and IAM share the awsQuery protocol; the API version tells them apart.
    return queryVersion(url, body) === IAM_VERSION ? 'iam' : 'sts';
  }
  return 's3';
}

export interface ParsedOperation {
  operation: string;
  params: Record<string, any>;
  s3?: S3Request;
}

function unknownOperation(): AwsError {
  return new AwsError('UnknownOperationException', '', 400);
}

/** Works out the operation and its parameters in the service's own protocol. */
export function parseOperation(
  service: ServiceName,
  headers: IncomingHttpHeaders,
  method: string,
  url: URL,
  body: string,
  known: Record<string, unknown>,
): ParsedOperation {
  if (service === 's3') {
    const parts = url.pathname
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    const s3: S3Request = {
      method,
      bucket: parts[0],
      key: parts.length > 1 ? parts.slice(1).join('/') : undefined,
      query: url.searchParams,
    };
    const operation = s3Operation(s3);
    if (!operation) {
      throw new AwsError(
        'NotImplemented',
        'A header you provided implies functionality that is not implemented',
        501,
      );
    }
    // Only PutBucketPolicy reads a body (the policy document, as is).
    return { operation, params: body ? { Body: body } : {}, s3 };
  }
  if (isQueryService(service)) {
    const form = new URLSearchParams(body);
    for (const [k, v] of url.searchParams) if (!form.has(k)) form.set(k, v);
    const action = form.get('Action');
    if (!action) {
      throw new AwsError('MissingAction', 'Missing Action', 400);
    }
    if (!(action in known)) {
      throw new AwsError(
        'InvalidAction',
        `Could not find operation ${action} for version ${
          form.get('Version') ?? 'NO_VERSION_SPECIFIED'
        }`,
        400,
      );
    }
    return { operation: action, params: Object.fromEntries(form) };
  }
  const target = splitTarget(headers['x-amz-target'] as string | undefined);
  if (
    method !== 'POST' ||
    !target ||
    TARGET_PREFIXES[target.prefix] !== service ||
    !(target.operation in known)
  ) {
    throw unknownOperation();
  }
  let params: unknown = {};
  if (body.trim() !== '') {
    try {
      params = JSON.parse(body);
    } catch (e) {
      throw new AwsError(
        'SerializationException',
        `Start of structure or map found where not expected: ${
          (e as Error).message
        }`,
      );
    }
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new AwsError(
      'SerializationException',
      'Expected a JSON object as the request body.',
    );
  }
  return { operation: target.operation, params: params as Record<string, any> };
}

export function missingAuth(service: ServiceName): AwsError {
  if (isQueryService(service)) {
    return new AwsError(
      'MissingAuthenticationToken',
      'Request is missing Authentication Token',
      403,
    );
  }
  if (service === 's3')
    return new AwsError('AccessDenied', 'Access Denied', 403);
  return new AwsError(
    'MissingAuthenticationTokenException',
    'Missing Authentication Token',
    400,
  );
}
