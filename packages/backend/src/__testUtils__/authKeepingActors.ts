import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  coreServices,
  createServiceFactory,
  type AuthService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

const MOCK_SERVICE_TOKEN_PREFIX = 'mock-service-token:';

/**
 * The mock auth service drops the actor of a plugin's on-behalf-of token, so
 * the permission backend would take a plugin forwarding a user's request for
 * the user calling it directly. This one keeps it, as real tokens do.
 */
const authWithActors = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const inner = mockServices.auth({ pluginId: plugin.getId() });
    return new Proxy(inner, {
      get(target, prop) {
        if (prop === 'authenticate') {
          const authenticate: AuthService['authenticate'] = async (
            token,
            options,
          ) => {
            const credentials = await target.authenticate(token, options);
            if (!token.startsWith(MOCK_SERVICE_TOKEN_PREFIX))
              return credentials;
            const { obo } = JSON.parse(
              token.slice(MOCK_SERVICE_TOKEN_PREFIX.length),
            );
            return obo
              ? (mockCredentials.user(obo, {
                  actor: { subject: 'plugin:forwarding' },
                }) as any)
              : credentials;
          };
          return authenticate;
        }
        const value = (target as any)[prop];
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  },
});

/**
 * Auth services for startTestBackend with the real permission backend and
 * `permission.enabled`: a plugin that forwards a user's request (e.g. a
 * conditional decision for a list) is then seen as such, as in production.
 */
export const authKeepingActors = [authWithActors, httpAuthServiceFactory];
