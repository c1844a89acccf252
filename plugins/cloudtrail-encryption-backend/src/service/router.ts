import type {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  ACCOUNT_STATUSES,
  cloudTrailEncryptionScanTriggerPermission,
  FINDING_CODES,
  type AccountListResponse,
  type AccountSummary,
  type FullScanResponse,
  type ScanRunListResponse,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { BodyCache } from '../store/BodyCache';
import { parse, requesterOf, searchOf, sendBody } from './http';
import { FLEET_SORT_KEYS } from '../store/FleetSnapshot';
import type { ReportStore } from '../store/ReportStore';
import type { AccountAccess } from './AccountAccess';
import type { AccountAudit } from './AccountAudit';
import type { AccountDirectory } from './AccountDirectory';
import { accountLookupHandler } from './accountLookup';
import { createRemediationScopeRouter } from './remediationScope';
import { estateMembers, type EstateService } from './EstateService';
import { catalogLinks, writeExport } from './fleetExport';
import type { ScanService } from './ScanService';
import type { ScanScheduler } from './ScanScheduler';

const ACCOUNT_ID = /^\d{12}$/;
const accountId = z
  .string()
  .regex(ACCOUNT_ID, 'must be a 12-digit AWS account id');

/** A path's account id; a 400 when it is not one. */
function accountIdOf(value: string): string {
  return ACCOUNT_ID.test(value) ? value : parse(accountId, value, 'account id');
}

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

const listFilters = {
  status: z.enum(ACCOUNT_STATUSES as [string, ...string[]]).optional(),
  finding: z.enum(FINDING_CODES).optional(),
  q: z.string().max(100, 'q must be at most 100 characters').optional(),
  sort: z.enum(FLEET_SORT_KEYS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  outsideReaders: z.enum(['true', 'false']).optional(),
};

const listQuery = z
  .object({
    page: intParam('page', 1, 100_000, 1),
    pageSize: intParam('pageSize', 1, 500, 50),
    ...listFilters,
  })
  .strict();

const exportQuery = z
  .object({ format: z.enum(['csv', 'json']), ...listFilters })
  .strict();

const scansQuery = z
  .object({
    limit: intParam('limit', 1, 200, 20),
    requestId: z.string().uuid('requestId must be a UUID').optional(),
  })
  .strict();

// Who asked for an on-demand run goes into the history.
const rescanBody = z
  .object({ trigger: z.enum(['manual', 'remediation']).optional() })
  .strict();

// Entity refs as the catalog allows them (see catalog-model's validators).
const ENTITY_NAMESPACE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;
const ENTITY_KIND = /^[a-zA-Z][a-zA-Z0-9]{0,62}$/;
const ENTITY_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;
const entityParams = z.object({
  namespace: z.string().regex(ENTITY_NAMESPACE, 'invalid namespace'),
  kind: z.string().regex(ENTITY_KIND, 'invalid kind'),
  name: z.string().regex(ENTITY_NAME, 'invalid name'),
});

/** The entity ref of a path; a 400 naming the first invalid part. */
function entityRefOf(params: Record<string, string>): {
  namespace: string;
  kind: string;
  name: string;
} {
  const { namespace, kind, name } = params;
  if (
    ENTITY_NAMESPACE.test(namespace) &&
    ENTITY_KIND.test(kind) &&
    ENTITY_NAME.test(name)
  ) {
    return { namespace, kind, name };
  }
  return parse(entityParams, params, 'entity reference');
}

/** Fleet pages kept serialized, per caller view, query and fleet state. */
const LIST_CACHE_BYTES = 16 * 1024 * 1024;
/** Distinct valid list queries whose parse is remembered. */
const PARSED_QUERY_LIMIT = 1_000;

export interface RouterOptions {
  httpAuth: HttpAuthService;
  store: ReportStore;
  access: AccountAccess;
  directory: AccountDirectory;
  estate: EstateService;
  scans: ScanService;
  /** Records reads and rescans of accounts the caller does not own. */
  audit: AccountAudit;
  /** Makes the scheduled full scan due now (POST /scans). */
  scanScheduler: Pick<ScanScheduler, 'requestFullScan'>;
}

/** Parses, authorizes and serializes; the work is done by the services. */
export function createRouter(options: RouterOptions): express.Router {
  const {
    httpAuth,
    store,
    access,
    directory,
    estate,
    scans,
    audit,
    scanScheduler,
  } = options;
  const router = Router();
  const listBodies = new BodyCache(LIST_CACHE_BYTES);
  // A list query's parse depends on its text only; the fleet page polls the
  // same few queries over and over.
  const parsedQueries = new Map<string, z.output<typeof listQuery>>();
  const listQueryOf = (req: express.Request, text: string) => {
    let query = parsedQueries.get(text);
    if (!query) {
      query = parse(listQuery, req.query, 'query');
      if (parsedQueries.size >= PARSED_QUERY_LIMIT) parsedQueries.clear();
      parsedQueries.set(text, query);
    }
    return query;
  };

  /** Starts the audit of a report read (undefined when the caller owns the account or it was recorded). */
  const readEvent = (
    req: express.Request,
    id: string,
    credentials: BackstageCredentials,
  ) => audit.ofForeignRead({ accountId: id, credentials, request: req });
  // Only the routes that take a body parse one; reads skip the parser.
  const json = express.json({ limit: '16kb' });

  const accountReport = async (req: express.Request, res: express.Response) => {
    const id = accountIdOf(req.params.accountId);
    const credentials = await httpAuth.credentials(req);
    const { filter } = await access.readView(credentials);
    const stored = estate.currentNow() ?? (await estate.current());
    const member = estateMembers(stored.estate).get(id);
    const report = store.readyReport(id) ?? (await store.servedReport(id));
    if (!report || (filter && !filter(id, member?.membership))) {
      throw new NotFoundError(`No report for account ${id}`);
    }
    const pending = readEvent(req, id, credentials);
    const event = pending && (await pending);
    sendBody(res, report);
    if (event) await event.success();
  };

  const lookup = accountLookupHandler(options);

  // The reads come first: a request walks the routes in order. A valid
  // account id is taken here; anything else goes on to '/accounts/export'
  // and then to the same handler, which answers 400.
  router.get('/accounts/:accountId(\\d{12})', accountReport);

  router.get('/entity/:namespace/:kind/:name', async (req, res) => {
    const ref = entityRefOf(req.params);
    const credentials = await httpAuth.credentials(req);
    const name = stringifyEntityRef(ref);
    const { filter, catalog, readable } = await access.readView(credentials);
    // An account entity the caller may read is known from the cached
    // directory; anything else is asked of the catalog, which also tells a
    // missing entity from one that is not an account.
    const claim = directory.claimIn(catalog, name);
    let id: string | undefined;
    if (claim && (!readable || readable.has(claim.entityRef))) {
      id = claim.accountId;
    } else {
      const entity = await directory.getEntity(ref, credentials);
      if (!entity) throw new NotFoundError(`Entity ${name} not found`);
      id = directory.accountIdOf(entity);
    }
    if (!id) {
      throw new NotFoundError(
        `Entity ${name} is not an AWS account entity (a Resource of type cloud-account or aws-account with a valid amazonaws.com/account-id annotation${
          directory.restrictsLocations ? ', from an allowed location' : ''
        })`,
      );
    }
    const stored = estate.currentNow() ?? (await estate.current());
    const member = estateMembers(stored.estate).get(id);
    if (!member) {
      // A dedicated error name lets the frontend show "not in the estate".
      res.status(404).json({
        error: {
          name: 'NotInEstateError',
          message: `Account ${id} is not in the scanned estate: ${
            stored.estate
              ? `the estate read at ${stored.estate.readAt} does not include it`
              : 'no estate has been read yet'
          }`,
        },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode: 404 },
      });
      return;
    }
    if (filter && !filter(id, member.membership)) {
      throw new NotFoundError(`No report for account ${id}`);
    }
    const report = store.readyReport(id) ?? (await store.servedReport(id));
    if (!report) {
      throw new NotFoundError(`Account ${id} has not been scanned yet`);
    }
    const pending = readEvent(req, id, credentials);
    const event = pending && (await pending);
    sendBody(res, report);
    if (event) await event.success();
  });

  router.get('/accounts', async (req, res, next) => {
    if (req.query.accountId !== undefined) {
      await lookup(req, res, next);
      return;
    }
    const search = searchOf(req.url);
    const query = listQueryOf(req, search);
    const credentials = await httpAuth.credentials(req);
    const view = await access.readView(credentials);
    const generation =
      store.fleetGenerationNow() ?? (await store.fleetGeneration());
    // Equal view keys see the same accounts and links; the generation names
    // the fleet's data, so a page is rebuilt only when one of them changed.
    const key = `${view.key}|${search}`;
    const version = String(generation);
    const cached = listBodies.get(key, version);
    if (cached) {
      sendBody(res, cached);
      return;
    }
    const filter = view.filter;
    const visible =
      filter && ((s: AccountSummary) => filter(s.accountId, s.membership));
    const [{ items, totalCount }, countsByStatus, links] = await Promise.all([
      store.listSummaries({
        page: query.page,
        pageSize: query.pageSize,
        status: query.status as never,
        finding: query.finding,
        q: query.q,
        sort: query.sort,
        order: query.order,
        outsideReaders: query.outsideReaders === 'true',
        visible,
      }),
      store.countsByStatus(visible),
      catalogLinks(directory, credentials),
    ]);
    const body: AccountListResponse = {
      items: items.map(links),
      totalCount,
      page: query.page,
      pageSize: query.pageSize,
      countsByStatus,
    };
    sendBody(res, listBodies.set(key, version, JSON.stringify(body)));
  });

  // Before '/accounts/:accountId', which would take "export" for an id.
  router.get('/accounts/export', async (req, res) => {
    const query = parse(exportQuery, req.query, 'query');
    const credentials = await httpAuth.credentials(req);
    const filter = await access.readFilterOrAll(credentials);
    const [items, links] = await Promise.all([
      store.allSummaries({
        status: query.status as never,
        finding: query.finding,
        q: query.q,
        sort: query.sort,
        order: query.order,
        outsideReaders: query.outsideReaders === 'true',
        visible:
          filter && ((s: AccountSummary) => filter(s.accountId, s.membership)),
      }),
      catalogLinks(directory, credentials),
    ]);
    await writeExport(res, query.format, items, links);
  });

  router.get('/accounts/:accountId', accountReport);

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.post('/accounts/:accountId/rescan', json, async (req, res) => {
    const id = parse(accountId, req.params.accountId, 'account id');
    const credentials = await httpAuth.credentials(req);
    const member = estateMembers((await estate.current()).estate).get(id);
    const filter = await access.readFilter(credentials);
    if (!filter(id, member?.membership)) {
      throw new NotFoundError(`No report for account ${id}`);
    }
    const allowed = await access.allowed(
      cloudTrailEncryptionScanTriggerPermission,
      credentials,
      await access.resource(id, member?.membership),
    );
    if (!allowed) {
      throw new NotAllowedError(
        `Not allowed: ${cloudTrailEncryptionScanTriggerPermission.name} on account ${id}`,
      );
    }
    const body = parse(rescanBody, req.body ?? {}, 'body');
    const event = await audit.ofForeignAccess({
      eventId: 'account-rescan',
      accountId: id,
      credentials,
      request: req,
    });
    let result;
    try {
      result = await scans.rescan(id, {
        trigger: body.trigger ?? 'manual',
        requestedBy: requesterOf(credentials),
      });
    } catch (error) {
      await event?.fail({ error: error as Error });
      throw error;
    }
    await event?.success();
    res.json(result);
  });

  router.get('/estate', async (req, res) => {
    parse(z.object({}).strict(), req.query, 'query');
    const credentials = await httpAuth.credentials(req);
    const filter = await access.readFilter(credentials);
    const stored = await estate.current();
    res.json(estate.summarize(stored, a => filter(a.accountId, a.membership)));
  });

  // A full scan now, through the scheduler so that replicas still share it.
  // It covers every account, so a conditional decision is not enough.
  router.post('/scans', json, async (req, res) => {
    parse(z.object({}).strict(), req.query, 'query');
    const credentials = await httpAuth.credentials(req);
    const allowed = await access.allowedEverywhere(
      cloudTrailEncryptionScanTriggerPermission,
      credentials,
    );
    if (!allowed) {
      throw new NotAllowedError(
        `Not allowed: ${cloudTrailEncryptionScanTriggerPermission.name} on every account (a full scan)`,
      );
    }
    const body: FullScanResponse = await scanScheduler.requestFullScan(
      requesterOf(credentials),
    );
    res.status(202).json(body);
  });

  // What the caller may start, for the UI: the frontend's permission API
  // cannot ask about a resource permission without naming one account.
  router.get('/scans/permissions', async (req, res) => {
    parse(z.object({}).strict(), req.query, 'query');
    const credentials = await httpAuth.credentials(req);
    res.json({
      triggerFullScan: await access.allowedEverywhere(
        cloudTrailEncryptionScanTriggerPermission,
        credentials,
      ),
    });
  });

  router.get('/scans', async (req, res) => {
    const query = parse(scansQuery, req.query, 'query');
    const credentials = await httpAuth.credentials(req);
    // Everyone sees that runs happened; their figures count only the
    // accounts the caller may see.
    const filter = await access.readFilterOrAll(credentials);
    const members = estateMembers((await estate.current()).estate);
    const body: ScanRunListResponse = {
      items: await store.listRuns(
        query.limit,
        filter && (id => filter(id, members.get(id)?.membership)),
        { requestId: query.requestId },
      ),
    };
    res.json(body);
  });

  // After the report routes, which it never matches, so they do not pass
  // through it.
  router.use(createRemediationScopeRouter(options));
  return router;
}
