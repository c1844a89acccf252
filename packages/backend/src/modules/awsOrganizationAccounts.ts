import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { AwsOrganizationCloudAccountProcessor } from '@backstage/plugin-catalog-backend-module-aws';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { AccountOwnership } from './AccountOwnership';
import { OwnedAwsAccountsProcessor } from './OwnedAwsAccountsProcessor';

/**
 * Ingests AWS accounts from AWS Organizations for catalog locations of type
 * `aws-cloud-accounts` (target: the organization id, or empty for any), with
 * Backstage's AwsOrganizationCloudAccountProcessor and the backend's AWS
 * identity (`aws.mainAccount`, or `catalog.processors.awsOrganization`).
 * Owners, systems and a name prefix come from `catalog.awsAccounts`.
 */
export const catalogModuleAwsOrganizationAccounts = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'aws-organization-accounts',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        catalog: catalogProcessingExtensionPoint,
      },
      async init({ config, logger, catalog }) {
        const ownership = await AccountOwnership.fromFile(
          config.getOptionalString('catalog.awsAccounts.ownersFile'),
          config.getOptionalString('catalog.awsAccounts.namePrefix'),
        );
        const accounts = await AwsOrganizationCloudAccountProcessor.fromConfig(
          config,
          { logger },
        );
        catalog.addProcessor(
          new OwnedAwsAccountsProcessor(accounts, ownership),
        );
      },
    });
  },
});

export default catalogModuleAwsOrganizationAccounts;
