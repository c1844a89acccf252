import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import cloudTrailEncryptionPlugin from '@trailguard/plugin-cloudtrail-encryption/alpha';
import { catalogModule } from './modules/catalog';
import { navModule } from './modules/nav';

export default createApp({
  features: [
    catalogPlugin,
    orgPlugin,
    scaffolderPlugin,
    userSettingsPlugin,
    // Owners' notifications (regressions of their accounts), pushed live by
    // signals, which also update a rescanned account's card.
    notificationsPlugin,
    signalsPlugin,
    cloudTrailEncryptionPlugin,
    catalogModule,
    navModule,
  ],
});
