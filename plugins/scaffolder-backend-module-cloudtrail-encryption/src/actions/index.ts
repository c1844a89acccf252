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
import { createCheckRequestAction } from './checkRequest';
import { createRestoreCloudTrailKeyAction } from './restoreKey';
import { createReplicateCloudTrailKeyAction } from './replicateKey';
import { createNarrowCloudTrailDecryptAction } from './narrowDecrypt';
import { TrailGuardBackendClient, type EstateDirectory } from '../estate';
import { readScopeSettings, RemediationScope } from '../scope';

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
export {
  RemediationAccess,
  type AuditTarget,
  type Ctx as RemediationActionContext,
  type RemediationAccessServices,
  type ResourcePermission as RemediationResourcePermission,
} from './access';
export {
  createCheckRequestAction,
  recommendation,
  CHECK_REQUEST_ACTION_ID,
  type Mode as RecommendedRemediationMode,
} from './checkRequest';
export {
  createRestoreCloudTrailKeyAction,
  RESTORE_KEY_ACTION_ID,
} from './restoreKey';
export {
  createReplicateCloudTrailKeyAction,
  REPLICATE_KEY_ACTION_ID,
} from './replicateKey';
export {
  createNarrowCloudTrailDecryptAction,
  NARROW_DECRYPT_ACTION_ID,
} from './narrowDecrypt';
export type { RemediationActionOptions } from './options';

/**
 * All the actions, sharing one view of the remediation configuration and of the estate.
 *
 * @public
 */
export function createRemediationActions(options: {
  config: Config;
  auth: AuthService;
  discovery: DiscoveryService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger?: LoggerService;
  /** The estate and reports; by default the TrailGuard backend over HTTP. */
  estate?: EstateDirectory;
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
  const scope = new RemediationScope(
    options.estate ??
      new TrailGuardBackendClient({
        auth: options.auth,
        discovery: options.discovery,
      }),
    readScopeSettings(options.config),
  );
  const shared = { config: options.config, aws, access, scope };
  return [
    createCheckRequestAction(shared),
    createCreateCloudTrailKeyAction(shared),
    createRestoreCloudTrailKeyAction(shared),
    createReplicateCloudTrailKeyAction(shared),
    createNarrowCloudTrailDecryptAction(shared),
    createEnsureCloudTrailKeyPolicyAction(shared),
    createEnableSseKmsAction(shared),
    createRescanAction({
      ...shared,
      auth: options.auth,
      discovery: options.discovery,
    }),
  ];
}
