import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type express from 'express';
import type { z } from 'zod';
import type { CachedBody } from '../store/BodyCache';

/** Who asked, for the history: the user's entity ref or the service's subject. */
export function requesterOf(
  credentials: BackstageCredentials,
): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user') return principal.userEntityRef;
  if (principal.type === 'service') return principal.subject;
  return undefined;
}

/** The query string of a request's URL, '?' included ('' when none). */
export function searchOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at);
}

/** Sends a serialized JSON body; a matching If-None-Match gets a 304. */
export function sendBody(res: express.Response, body: CachedBody): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('ETag', body.etag);
  res.send(body.body);
}

/** The value `schema` makes of `value`, or a 400 naming the first problem. */
export function parse<S extends z.ZodTypeAny>(
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
