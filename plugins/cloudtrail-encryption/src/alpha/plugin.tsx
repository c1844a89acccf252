import type { Entity } from '@backstage/catalog-model';
import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import LockIcon from '@material-ui/icons/Lock';
import { CloudTrailEncryptionClient, cloudtrailEncryptionApiRef } from '../api';
import { isCloudTrailEncryptionAvailable } from '../conditions';
import {
  DEFAULT_REMEDIATION_TEMPLATE,
  remediationTemplateRouteRef,
  rootRouteRef,
} from '../routes';
import { cloudtrailEncryptionCatalogColumn } from './catalogColumn';
import { entityCardConfigSchema } from './configSchema';

const TITLE = 'CloudTrail encryption';

/** @alpha */
export const cloudtrailEncryptionApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: cloudtrailEncryptionApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new CloudTrailEncryptionClient({ discoveryApi, fetchApi }),
    }),
});

/** AWS accounts are modelled as Resources carrying an account-id annotation. */
function isAwsAccountResource(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    isCloudTrailEncryptionAvailable(entity)
  );
}

/**
 * The entity card. Config: `templateNamespace` and `templateName` select the
 * Scaffolder template behind Remediate (default `default/cloudtrail-sse-kms`);
 * `filter` and `type` as for every entity card.
 *
 * @alpha
 */
export const cloudtrailEncryptionEntityCard =
  EntityCardBlueprint.makeWithOverrides({
    configSchema: entityCardConfigSchema,
    factory(originalFactory, { config }) {
      const remediationTemplate = {
        namespace:
          config.templateNamespace ?? DEFAULT_REMEDIATION_TEMPLATE.namespace,
        name: config.templateName ?? DEFAULT_REMEDIATION_TEMPLATE.name,
      };
      return originalFactory({
        filter: isAwsAccountResource,
        loader: () =>
          import('../components/EntityCloudTrailEncryptionCard').then(m =>
            compatWrapper(
              <m.EntityCloudTrailEncryptionCard
                remediationTemplate={remediationTemplate}
              />,
            ),
          ),
      });
    },
  });

/**
 * The remediation template's review page
 * (`ui:field: TrailGuardRemediationPreview`): the planned changes from a dry
 * run, and the confirmation the run needs.
 *
 * @alpha
 */
export const cloudtrailEncryptionRemediationPreviewField =
  FormFieldBlueprint.make({
    name: 'remediation-preview',
    params: {
      field: () =>
        import('../components/remediation/formField').then(
          m => m.remediationPreviewFormField,
        ),
    },
  });

/** @alpha */
export const cloudtrailEncryptionPage = PageBlueprint.make({
  params: {
    path: '/cloudtrail-encryption',
    title: TITLE,
    icon: <LockIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('../components/CloudTrailEncryptionPage').then(m =>
        compatWrapper(<m.CloudTrailEncryptionPageContent />),
      ),
  },
});

/**
 * The CloudTrail encryption plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'cloudtrail-encryption',
  title: TITLE,
  icon: <LockIcon />,
  info: { packageJson: () => import('../../package.json') },
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
  externalRoutes: {
    remediationTemplate: convertLegacyRouteRef(remediationTemplateRouteRef),
  },
  extensions: [
    cloudtrailEncryptionApi,
    cloudtrailEncryptionEntityCard,
    cloudtrailEncryptionPage,
    cloudtrailEncryptionCatalogColumn,
    cloudtrailEncryptionRemediationPreviewField,
  ],
});
