import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  Sandbox,
  sandboxClientConfig,
  startSandbox,
  StartSandboxOptions,
} from '../sandbox';

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ClientOptions {
  region?: string;
  credentials?: Creds;
  maxAttempts?: number;
  requestTimeout?: number;
}

/** Real SDK clients for every sandbox service, with retries off unless asked for. */
export function clientsFor(sandbox: Sandbox, options: ClientOptions = {}) {
  const base = {
    ...sandboxClientConfig(
      sandbox.endpoint,
      options.region ?? 'us-east-1',
      options.credentials ?? sandbox.credentials,
    ),
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.requestTimeout
      ? {
          requestHandler: {
            requestTimeout: options.requestTimeout,
            throwOnRequestTimeout: true,
          },
        }
      : {}),
  };
  return {
    sts: new STSClient(base),
    organizations: new OrganizationsClient(base),
    cloudtrail: new CloudTrailClient(base),
    kms: new KMSClient(base),
    s3: new S3Client(base),
  };
}

/** AssumeRole from the management credentials, as a scanner would. */
export async function assumeRole(
  sandbox: Sandbox,
  account: string,
  role = 'TrailGuardReadOnly',
  extra: { ExternalId?: string; DurationSeconds?: number } = {},
): Promise<Creds> {
  const { sts } = clientsFor(sandbox);
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/${role}`,
      RoleSessionName: 'trailguard-test',
      ...extra,
    }),
  );
  return {
    accessKeyId: out.Credentials!.AccessKeyId!,
    secretAccessKey: out.Credentials!.SecretAccessKey!,
    sessionToken: out.Credentials!.SessionToken!,
  };
}

/** Clients acting as `account` through the given role. */
export async function clientsAs(
  sandbox: Sandbox,
  account: string,
  options: ClientOptions & { role?: string } = {},
) {
  const credentials = await assumeRole(sandbox, account, options.role);
  return clientsFor(sandbox, { ...options, credentials });
}

/** Starts a sandbox per test file and closes it afterwards. */
export function useSandbox(options: StartSandboxOptions = {}): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(options);
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  return () => sandbox!;
}

/** Awaits a rejected promise and returns the error for assertions. */
export async function caught(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

export const DEMO = {
  management: '111111111111',
  logArchive: '222222222222',
  payments: '100000000001',
  marketing: '100000000002',
  dataLake: '100000000003',
  legacyBilling: '100000000004',
  retiredAnalytics: '100000000005',
  checkout: '100000000006',
  searchDev: '100000000007',
  publicWeb: '100000000008',
  sharedServices: '100000000009',
  identity: '100000000010',
  mlPlatform: '100000000011',
  acquired: '100000000012',
  orgTrailArn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail',
  orgKeyArn:
    'arn:aws:kms:us-east-1:222222222222:key/24b447a3-b0f8-44b7-9371-f2defcc5d53e',
  paymentsKeyId: 'bfc72cd3-544f-4285-95a2-89507f189bc4',
  paymentsKeyArn:
    'arn:aws:kms:us-east-1:100000000001:key/bfc72cd3-544f-4285-95a2-89507f189bc4',
  paymentsTrailArn:
    'arn:aws:cloudtrail:us-east-1:100000000001:trail/payments-trail',
};
