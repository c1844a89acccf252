import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { RemediationAws } from '../aws/RemediationAws';
import { createCreateCloudTrailKeyAction } from './createCloudTrailKey';
import { createEnableSseKmsAction } from './enableSseKms';
import { createEnsureCloudTrailKeyPolicyAction } from './ensureCloudTrailKeyPolicy';
import { createRescanAction } from './rescan';

export {
  createCreateCloudTrailKeyAction,
  CREATE_KEY_ACTION_ID,
} from './createCloudTrailKey';
export {
  createEnsureCloudTrailKeyPolicyAction,
  ENSURE_POLICY_ACTION_ID,
} from './ensureCloudTrailKeyPolicy';
export {
  createEnableSseKmsAction,
  ENABLE_SSE_KMS_ACTION_ID,
} from './enableSseKms';
export { createRescanAction, RESCAN_ACTION_ID } from './rescan';

/** All four actions, sharing one view of the remediation configuration. */
export function createRemediationActions(options: {
  config: Config;
  auth: AuthService;
  discovery: DiscoveryService;
  logger?: LoggerService;
}) {
  const aws = new RemediationAws(options.config);
  if (!aws.settings.roleName) {
    // Not fatal: the actions stay registered and explain the missing setting.
    options.logger?.warn(
      'CloudTrail remediation actions are disabled until cloudtrailEncryption.remediation.roleName is set',
    );
  }
  const shared = { config: options.config, aws };
  return [
    createCreateCloudTrailKeyAction(shared),
    createEnsureCloudTrailKeyPolicyAction(shared),
    createEnableSseKmsAction(shared),
    createRescanAction({
      ...shared,
      auth: options.auth,
      discovery: options.discovery,
    }),
  ];
}
