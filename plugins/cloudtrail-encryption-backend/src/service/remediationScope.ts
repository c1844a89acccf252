import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { estateMembers, type EstateService } from './EstateService';

/** The most account ids one scope request may ask about. */
const MAX_SCOPE_IDS = 50;

const scopeQuery = z
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
          .max(MAX_SCOPE_IDS, `at most ${MAX_SCOPE_IDS} account ids`),
      ),
  })
  .strict();

/** What the remediation actions need to know about the estate to decide their scope. */
export interface RemediationScopeResponse {
  mode: 'organization' | 'accounts';
  organizationId?: string;
  managementAccountId?: string;
  trustedAccountIds: string[];
  /** When the estate was read; absent when it never was. */
  readAt?: string;
  /** Each account asked about: whether it is a member of the estate, and of which organization. */
  accounts: Record<
    string,
    { member: boolean; state?: string; organizationId?: string }
  >;
}

/**
 * `GET /remediation/scope?accountId=a&accountId=b`: membership of the given
 * accounts in the estate as the EstateService last read it, with the
 * organization and the trusted accounts. Only facts about membership, no
 * report content, for the scaffolder's remediation actions to refuse work
 * outside the estate.
 */
export function createRemediationScopeRouter(options: {
  httpAuth: HttpAuthService;
  estate: Pick<EstateService, 'current'>;
}): express.Router {
  const router = Router();
  router.get('/remediation/scope', async (req, res) => {
    const parsed = scopeQuery.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      throw new InputError(`Invalid query: ${where}${issue.message}`);
    }
    await options.httpAuth.credentials(req, { allow: ['user', 'service'] });
    const stored = await options.estate.current();
    const members = estateMembers(stored.estate);
    const body: RemediationScopeResponse = {
      mode: stored.estate?.mode ?? 'organization',
      organizationId: stored.estate?.organizationId,
      managementAccountId: stored.estate?.managementAccountId,
      trustedAccountIds: stored.estate?.trustedAccountIds ?? [],
      readAt: stored.estate?.readAt,
      accounts: Object.fromEntries(
        [...new Set(parsed.data.accountId)].map(id => {
          const member = members.get(id);
          return [
            id,
            member
              ? {
                  member: true,
                  state: member.membership.state,
                  organizationId: member.membership.organizationId,
                }
              : { member: false },
          ];
        }),
      ),
    };
    res.json(body);
  });
  return router;
}
