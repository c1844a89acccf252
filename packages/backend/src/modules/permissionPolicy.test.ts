import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
  type ConditionalPolicyDecision,
} from '@backstage/plugin-permission-common';
import type { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  cloudTrailEncryptionRemediatePermission,
  cloudTrailEncryptionReportReadPermission,
  cloudTrailEncryptionScanTriggerPermission,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { TrailGuardPermissionPolicy } from './permissionPolicy';

function user(ref: string, groups: string[] = []): PolicyQueryUser {
  return {
    info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
    token: 'token',
    credentials: {} as any,
    expiresInSeconds: 3600,
  } as PolicyQueryUser;
}

const catalogRead = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});
const catalogDelete = createPermission({
  name: 'catalog.entity.delete',
  attributes: { action: 'delete' },
  resourceType: 'catalog-entity',
});
const taskCreate = createPermission({
  name: 'scaffolder.task.create',
  attributes: { action: 'create' },
});
const actionExecute = createPermission({
  name: 'scaffolder.action.execute',
  attributes: {},
  resourceType: 'scaffolder-action',
});

describe('TrailGuardPermissionPolicy', () => {
  const policy = TrailGuardPermissionPolicy.fromConfig(
    new ConfigReader({
      cloudtrailEncryption: {
        permissions: { adminGroups: ['group:default/Platform-Security'] },
      },
    }),
  );
  const owner = user('user:default/alice', ['group:default/payments']);
  const admin = user('user:default/sec', ['group:default/platform-security']);
  const other = user('user:default/bob');

  it('lets every user read reports, the catalog and run templates', async () => {
    for (const u of [owner, admin, other]) {
      for (const permission of [
        cloudTrailEncryptionReportReadPermission,
        catalogRead,
        taskCreate,
        actionExecute,
      ]) {
        expect(await policy.handle({ permission }, u)).toEqual({
          result: AuthorizeResult.ALLOW,
        });
      }
    }
  });

  it.each([
    cloudTrailEncryptionScanTriggerPermission,
    cloudTrailEncryptionRemediatePermission,
  ])('gives $name to owners conditionally and to admins', async permission => {
    const decision = (await policy.handle(
      { permission },
      owner,
    )) as ConditionalPolicyDecision;
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'cloudtrail-encryption',
      resourceType: 'cloudtrail-encryption-account',
      conditions: {
        rule: 'IS_OWNED_BY',
        resourceType: 'cloudtrail-encryption-account',
        params: {
          claims: ['user:default/alice', 'group:default/payments'],
        },
      },
    });
    // Another user's conditional decision names only that user's claims.
    const forOther = (await policy.handle(
      { permission },
      other,
    )) as ConditionalPolicyDecision;
    expect(forOther.result).toBe(AuthorizeResult.CONDITIONAL);
    expect(JSON.stringify(forOther.conditions)).not.toMatch(/alice|payments/);
    expect(await policy.handle({ permission }, admin)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('lets only owners and admins delete catalog entities', async () => {
    expect(
      (await policy.handle({ permission: catalogDelete }, other)).result,
    ).toBe(AuthorizeResult.CONDITIONAL);
    expect(await policy.handle({ permission: catalogDelete }, admin)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('denies a request without a user (services are decided by the framework)', async () => {
    expect(
      await policy.handle({
        permission: cloudTrailEncryptionReportReadPermission,
      }),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('has no admins unless configured', async () => {
    const bare = TrailGuardPermissionPolicy.fromConfig(new ConfigReader({}));
    expect(
      (
        await bare.handle(
          { permission: cloudTrailEncryptionScanTriggerPermission },
          admin,
        )
      ).result,
    ).toBe(AuthorizeResult.CONDITIONAL);
  });
});
