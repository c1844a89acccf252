import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createRemediationActions } from './actions';

/**
 * Adds the CloudTrail SSE-KMS remediation actions to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleCloudTrailEncryption = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'cloudtrail-encryption',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        auditor: coreServices.auditor,
      },
      async init(deps) {
        const { scaffolder, ...services } = deps;
        scaffolder.addActions(...createRemediationActions(services));
      },
    });
  },
});
