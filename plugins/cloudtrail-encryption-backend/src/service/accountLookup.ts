import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { AccountSummary } from '@trailguard/plugin-cloudtrail-encryption-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { ReportStore } from '../store/ReportStore';
import type { AccountAccess } from './AccountAccess';
import type { AccountDirectory } from './AccountDirectory';
import { catalogLinks } from './fleetExport';

/** The most account ids one lookup may ask for (a catalog table page). */
export const MAX_LOOKUP_IDS = 100;

const lookupQuery = z
  .object({
    accountId: z
      .union([z.string(), z.array(z.string())])
      .transform(v => (Array.isArray(v) ? v : [v]))
      .pipe(
        z
          .array(
            z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
          )
          .min(1)
          .max(
            MAX_LOOKUP_IDS,
            `at most ${MAX_LOOKUP_IDS} account ids per request`,
          ),
      ),
  })
  .strict();

export interface AccountLookupOptions {
  httpAuth: HttpAuthService;
  store: Pick<ReportStore, 'allSummaries'>;
  access: Pick<AccountAccess, 'readFilterOrAll'>;
  directory: Pick<AccountDirectory, 'accounts' | 'readableEntityRefs'>;
}

/**
 * `GET /accounts?accountId=a&accountId=b`: the summaries of the given accounts
 * in one request, for status columns that show many accounts at once.
 * Accounts never scanned or hidden from the caller are left out, exactly as
 * the fleet list leaves them out. Requests without `accountId` go on to the
 * fleet list.
 */
export function createAccountLookupRouter(
  options: AccountLookupOptions,
): express.Router {
  const router = Router();
  router.get('/accounts', accountLookupHandler(options));
  return router;
}

/** The look-up as a plain handler, for a router that has its own `/accounts` routes. */
export function accountLookupHandler(
  options: AccountLookupOptions,
): (
  req: express.Request,
  res: express.Response,
  next: express.NextFunction,
) => Promise<void> {
  const { httpAuth, store, access, directory } = options;
  return async (req, res, next) => {
    if (req.query.accountId === undefined) {
      next();
      return;
    }
    const parsed = lookupQuery.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      throw new InputError(`Invalid query: ${where}${issue.message}`);
    }
    const ids = new Set(parsed.data.accountId);
    const credentials = await httpAuth.credentials(req);
    const filter = await access.readFilterOrAll(credentials);
    const [items, links] = await Promise.all([
      store.allSummaries({
        sort: 'accountId',
        visible: (s: AccountSummary) =>
          ids.has(s.accountId) &&
          (!filter || filter(s.accountId, s.membership)),
      }),
      catalogLinks(directory, credentials),
    ]);
    res.json({ items: items.map(links), totalCount: items.length });
  };
}
