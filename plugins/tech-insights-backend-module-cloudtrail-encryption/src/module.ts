import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID,
  createCloudTrailEncryptionFactRetriever,
} from './factRetriever';

/**
 * Adds the CloudTrail encryption fact retriever to Tech Insights. Like every
 * retriever, it runs only once `techInsights.factRetrievers.cloudtrailEncryptionFactRetriever`
 * gives it a cadence.
 *
 * @public
 */
export const techInsightsModuleCloudTrailEncryption = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'cloudtrail-encryption',
  register(reg) {
    reg.registerInit({
      deps: {
        retrievers: techInsightsFactRetrieversExtensionPoint,
        catalog: catalogServiceRef,
      },
      async init({ retrievers, catalog }) {
        retrievers.addFactRetrievers({
          [CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID]:
            createCloudTrailEncryptionFactRetriever({ catalog }),
        });
      },
    });
  },
});
