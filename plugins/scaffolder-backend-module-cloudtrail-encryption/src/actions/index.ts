import type {
  AuditorService,
  AuthService,
  DiscoveryService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { RemediationAccess } from './access';
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
export { createRescanAction, outcomeOf, RESCAN_ACTION_ID } from './rescan';
export { RemediationAccess, type RemediationAccessServices } from './access';

/** All four actions, sharing one view of the remediation configuration. */
export function createRemediationActions(options: {
  config: Config;
  auth: AuthService;
  discovery: DiscoveryService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger?: LoggerService;
}) {
  const aws = new RemediationAws(options.config);
  if (!aws.settings.roleName) {
    // Not fatal: the actions stay registered and explain the missing setting.
    options.logger?.warn(
      'CloudTrail remediation actions are disabled until cloudtrailEncryption.remediation.roleName is set',
    );
  }
  const access = new RemediationAccess({
    permissions: options.permissions,
    auditor: options.auditor,
  });
  const shared = { config: options.config, aws, access };
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
