import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ConfigSources } from '@backstage/config-loader';
import { assertProductionReady } from './productionConfig';

/**
 * The root config service, loaded as backend-defaults does it, that refuses a
 * production configuration with missing or development-only settings before
 * any plugin starts: every other service and plugin depends on it.
 */
export const checkedRootConfigServiceFactory = createServiceFactory({
  service: coreServices.rootConfig,
  deps: {},
  async factory() {
    const source = ConfigSources.default({});
    const config = await ConfigSources.toConfig(source);
    try {
      assertProductionReady(config);
    } catch (e) {
      config.close();
      throw e;
    }
    return config;
  },
});
