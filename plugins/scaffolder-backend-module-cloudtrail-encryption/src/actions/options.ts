import type { Config } from '@backstage/config';
import { RemediationAws } from '../aws/RemediationAws';
import { readScopeSettings, RemediationScope } from '../scope';
import type { RemediationAccess } from './access';

/**
 * What every remediation action is built with.
 *
 * @public
 */
export interface RemediationActionOptions {
  config: Config;
  aws?: RemediationAws;
  access: RemediationAccess;
  /**
   * The estate checks. Without it every action that touches AWS refuses
   * (fails closed): the module always passes the TrailGuard backend's.
   */
  scope?: RemediationScope;
}

export function awsOf(options: RemediationActionOptions): RemediationAws {
  return options.aws ?? new RemediationAws(options.config);
}

export function scopeOf(options: RemediationActionOptions): RemediationScope {
  return (
    options.scope ??
    new RemediationScope(undefined, readScopeSettings(options.config))
  );
}
