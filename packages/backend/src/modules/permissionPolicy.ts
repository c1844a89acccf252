import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  cloudTrailAccountConditions,
  createCloudTrailAccountConditionalDecision,
} from '@trailguard/plugin-cloudtrail-encryption-backend';
import {
  CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
  cloudTrailEncryptionReportReadPermission,
} from '@trailguard/plugin-cloudtrail-encryption-common';

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/**
 * TrailGuard's permission policy.
 *
 * - Every signed-in user reads the catalog, runs templates and reads
 *   TrailGuard reports (the catalog still decides which account entities,
 *   and so which accounts, each user sees).
 * - Rescanning and remediating an account is for the owners of the
 *   account's entity (a conditional decision) and for admins.
 * - Deleting catalog entities is for their owners and admins.
 * - Admins are the members of `cloudtrailEncryption.permissions.adminGroups`
 *   (any ownership entity ref: a group, or a single user).
 */
export class TrailGuardPermissionPolicy implements PermissionPolicy {
  static fromConfig(config: Config): TrailGuardPermissionPolicy {
    return new TrailGuardPermissionPolicy(
      config.getOptionalStringArray(
        'cloudtrailEncryption.permissions.adminGroups',
      ) ?? [],
    );
  }

  readonly #admins: ReadonlySet<string>;

  constructor(adminGroups: string[]) {
    this.#admins = new Set(adminGroups.map(lower));
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    // Service principals are decided by the framework before any policy;
    // a request without a user identity gets nothing here.
    if (!user) return { result: AuthorizeResult.DENY };
    const claims = [
      ...new Set(
        [user.info.userEntityRef, ...user.info.ownershipEntityRefs].map(lower),
      ),
    ];
    const isAdmin = claims.some(ref => this.#admins.has(ref));
    const { permission } = request;

    if (
      isResourcePermission(
        permission,
        CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
      )
    ) {
      if (isPermission(permission, cloudTrailEncryptionReportReadPermission)) {
        return { result: AuthorizeResult.ALLOW };
      }
      if (isAdmin) return { result: AuthorizeResult.ALLOW };
      // scan.trigger, remediate and any later write on an account.
      return createCloudTrailAccountConditionalDecision(
        permission,
        cloudTrailAccountConditions.isOwnedBy({ claims }),
      );
    }

    if (
      isResourcePermission(permission, 'catalog-entity') &&
      permission.name === 'catalog.entity.delete' &&
      !isAdmin
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }

    // Ordinary catalog and scaffolder use (reading, registering, running
    // templates and their actions, reading tasks) as Backstage ships it.
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs {@link TrailGuardPermissionPolicy} as the permission backend's policy. */
export const permissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'trailguard-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ policy, config }) {
        policy.setPolicy(TrailGuardPermissionPolicy.fromConfig(config));
      },
    });
  },
});

export default permissionPolicyModule;
