import { globMatch } from '../policy/wildcard';
import {
  classifyAwsPrincipal,
  classifyFederatedPrincipal,
  classifyServicePrincipal,
  PrincipalIdentity,
  WILDCARD_IDENTITY,
} from './principals';
import type { ParsedStatement, PrincipalSpec } from '../policy/document';

/** Action names are case-insensitive; `*` and `?` are wildcards. */
export function actionApplies(
  statement: ParsedStatement,
  action: string,
): boolean {
  const matches = (patterns: string[]) =>
    patterns.some(pattern => globMatch(pattern, action, true));
  if (statement.action) return matches(statement.action);
  return !matches(statement.notAction ?? []);
}

/**
 * In a key policy `"*"` means "this key". A key ARN (or an ARN pattern)
 * applies when it matches the key; any other resource never does.
 */
export function resourceApplies(
  statement: ParsedStatement,
  keyArn: string,
): boolean {
  const matches = (patterns: string[]) =>
    patterns.some(pattern => pattern === '*' || globMatch(pattern, keyArn));
  if (statement.resource) return matches(statement.resource);
  return !matches(statement.notResource ?? []);
}

/** Every principal a Principal/NotPrincipal element names, classified. */
export function identitiesOf(spec: PrincipalSpec): PrincipalIdentity[] {
  const result: PrincipalIdentity[] = [];
  if (spec.wildcard) result.push(WILDCARD_IDENTITY);
  for (const value of spec.aws) {
    if (value !== '*') result.push(classifyAwsPrincipal(value));
  }
  result.push(...spec.service.map(classifyServicePrincipal));
  result.push(...spec.federated.map(classifyFederatedPrincipal));
  return result;
}

/** The principals as written, for notes and synthetic conditions. */
export function writtenPrincipals(spec: PrincipalSpec): string[] {
  const written = [...spec.aws, ...spec.service, ...spec.federated];
  return spec.wildcard && !spec.aws.includes('*') ? ['*', ...written] : written;
}

/** Whether a statement's Principal/NotPrincipal covers the given service. */
export function statementCoversService(
  statement: ParsedStatement,
  service: string,
): boolean {
  const names = (spec: PrincipalSpec) =>
    spec.wildcard || spec.service.some(s => s.toLowerCase() === service);
  if (statement.principal) return names(statement.principal);
  return !names(statement.notPrincipal!);
}
