import type {
  HttpAuthService,
  PermissionsService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  type BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  ACCOUNT_STATUSES,
  cloudTrailEncryptionReportReadPermission,
  cloudTrailEncryptionScanTriggerPermission,
  FINDING_CODES,
  type AccountListResponse,
  type ScanRunListResponse,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import express, { type Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { ReportStore } from '../store/ReportStore';
import type { AccountSource } from './AccountSource';
import type { ScanService } from './ScanService';

const accountId = z
  .string()
  .regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

const intParam = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `${name} must be at least ${min}`)
        .max(max, `${name} must be at most ${max}`),
    )
    .optional()
    .transform(v => v ?? fallback);

const listQuery = z
  .object({
    page: intParam('page', 1, 100_000, 1),
    pageSize: intParam('pageSize', 1, 500, 50),
    status: z.enum(ACCOUNT_STATUSES as [string, ...string[]]).optional(),
    finding: z.enum(FINDING_CODES).optional(),
    q: z.string().max(100, 'q must be at most 100 characters').optional(),
  })
  .strict();

const scansQuery = z.object({ limit: intParam('limit', 1, 200, 20) }).strict();

// Entity refs as the catalog allows them (see catalog-model's validators).
const entityParams = z.object({
  namespace: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/, 'invalid namespace'),
  kind: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,62}$/, 'invalid kind'),
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/, 'invalid name'),
});

function parse<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new InputError(`Invalid ${what}: ${where}${issue.message}`);
  }
  return result.data;
}

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  store: ReportStore;
  accounts: AccountSource;
  scans: ScanService;
  /** Makes the scheduled full scan due now; returns the task ids triggered. */
  triggerFullScan: () => Promise<string[]>;
}

/** Parses, authorizes and serializes; the work is done by the services. */
export function createRouter(options: RouterOptions): express.Router {
  const { httpAuth, permissions, store, accounts, scans, triggerFullScan } =
    options;
  const router = Router();
  router.use(express.json({ limit: '16kb' }));

  async function authorize(
    req: Request,
    permission: BasicPermission,
  ): Promise<BackstageCredentials> {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return credentials;
  }

  async function visibleAccount(
    credentials: BackstageCredentials,
    id: string,
  ): Promise<void> {
    if ((await accounts.hiddenAccountIds(credentials)).has(id)) {
      throw new NotFoundError(`No report for account ${id}`);
    }
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/accounts', async (req, res) => {
    const query = parse(listQuery, req.query, 'query');
    const credentials = await authorize(
      req,
      cloudTrailEncryptionReportReadPermission,
    );
    const hidden = await accounts.hiddenAccountIds(credentials);
    const [{ items, totalCount }, countsByStatus] = await Promise.all([
      store.listSummaries({
        page: query.page,
        pageSize: query.pageSize,
        status: query.status as never,
        finding: query.finding,
        q: query.q,
        excludeAccountIds: hidden,
      }),
      store.countsByStatus(hidden),
    ]);
    const body: AccountListResponse = {
      items,
      totalCount,
      page: query.page,
      pageSize: query.pageSize,
      countsByStatus,
    };
    res.json(body);
  });

  router.get('/accounts/:accountId', async (req, res) => {
    const id = parse(accountId, req.params.accountId, 'account id');
    const credentials = await authorize(
      req,
      cloudTrailEncryptionReportReadPermission,
    );
    await visibleAccount(credentials, id);
    const report = await store.getReportJson(id);
    if (!report) throw new NotFoundError(`No report for account ${id}`);
    res.type('application/json').send(report);
  });

  router.post('/accounts/:accountId/rescan', async (req, res) => {
    const id = parse(accountId, req.params.accountId, 'account id');
    const credentials = await authorize(
      req,
      cloudTrailEncryptionScanTriggerPermission,
    );
    await visibleAccount(credentials, id);
    res.json(await scans.rescan(id));
  });

  router.get('/entity/:namespace/:kind/:name', async (req, res) => {
    const ref = parse(entityParams, req.params, 'entity reference');
    const credentials = await authorize(
      req,
      cloudTrailEncryptionReportReadPermission,
    );
    const found = await accounts.accountForEntity(ref, credentials);
    if (!found) {
      throw new NotFoundError(
        `Entity ${ref.kind}:${ref.namespace}/${ref.name} not found`,
      );
    }
    if (!found.accountId) {
      throw new NotFoundError(
        `Entity ${ref.kind}:${ref.namespace}/${ref.name} has no valid amazonaws.com/account-id annotation`,
      );
    }
    const report = await store.getReportJson(found.accountId);
    if (!report) {
      throw new NotFoundError(
        `Account ${found.accountId} has not been scanned yet`,
      );
    }
    res.type('application/json').send(report);
  });

  // A full scan now, through the scheduler so that replicas still share it.
  router.post('/scans', async (req, res) => {
    parse(z.object({}).strict(), req.query, 'query');
    await authorize(req, cloudTrailEncryptionScanTriggerPermission);
    res.status(202).json({ triggered: await triggerFullScan() });
  });

  router.get('/scans', async (req, res) => {
    const query = parse(scansQuery, req.query, 'query');
    await authorize(req, cloudTrailEncryptionReportReadPermission);
    const body: ScanRunListResponse = {
      items: await store.listRuns(query.limit),
    };
    res.json(body);
  });

  return router;
}
