import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { CloudTrailEncryptionClient, cloudtrailEncryptionApiRef } from './api';
import { remediationTemplateRouteRef, rootRouteRef } from './routes';
import type { EntityCloudTrailEncryptionCardProps } from './components/EntityCloudTrailEncryptionCard';

/**
 * The CloudTrail encryption plugin for the legacy frontend system.
 *
 * @public
 */
export const cloudtrailEncryptionPlugin = createPlugin({
  id: 'cloudtrail-encryption',
  apis: [
    createApiFactory({
      api: cloudtrailEncryptionApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new CloudTrailEncryptionClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
  externalRoutes: { remediationTemplate: remediationTemplateRouteRef },
});

/**
 * Entity card for AWS-account entities; show it with
 * `isCloudTrailEncryptionAvailable`.
 *
 * @public
 */
export const EntityCloudTrailEncryptionCard: (
  props: EntityCloudTrailEncryptionCardProps,
) => JSX.Element = cloudtrailEncryptionPlugin.provide(
  createComponentExtension({
    name: 'EntityCloudTrailEncryptionCard',
    component: {
      lazy: () =>
        import('./components/EntityCloudTrailEncryptionCard').then(
          m => m.EntityCloudTrailEncryptionCard,
        ),
    },
  }),
);

/**
 * The fleet page, mounted by the app at e.g. `/cloudtrail-encryption`.
 *
 * @public
 */
export const CloudTrailEncryptionPage: () => JSX.Element =
  cloudtrailEncryptionPlugin.provide(
    createRoutableExtension({
      name: 'CloudTrailEncryptionPage',
      component: () =>
        import('./components/CloudTrailEncryptionPage').then(
          m => m.CloudTrailEncryptionPage,
        ),
      mountPoint: rootRouteRef,
    }),
  );
