import { createBackend } from '@backstage/backend-defaults';
import { checkedRootConfigServiceFactory } from './production/rootConfig';

const backend = createBackend();

// Refuses an incomplete production configuration, or one that still carries
// development-only settings, before any plugin starts.
backend.add(checkedRootConfigServiceFactory);

const development = process.env.NODE_ENV !== 'production';

backend.add(import('@backstage/plugin-app-backend'));

// Auth: sign-in providers come from configuration. Guest sign-in is for
// development only (app-config.development.yaml); production images do not
// even load it.
backend.add(import('@backstage/plugin-auth-backend'));
if (development) {
  backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
}

// Catalog: the AWS-account entities the TrailGuard card is shown on, read
// from AWS Organizations for `aws-cloud-accounts` locations.
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('./modules/awsOrganizationAccounts'));

// Permissions: TrailGuard's policy (readers, owners, admin groups); see
// docs/install.md "Permissions".
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/permissionPolicy'));

// Scaffolder: runs the CloudTrail SSE-KMS remediation template.
backend.add(import('@backstage/plugin-scaffolder-backend'));

// Platform services TrailGuard plugs into: notifications to account owners
// on regression, signals for live rescans, and the actions registry served to
// AI assistants over MCP (backend.actions.pluginSources in app-config.yaml).
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// Tech Insights with TrailGuard's facts per AWS-account entity and the check
// in app-config.yaml (techInsights).
backend.add(import('@backstage-community/plugin-tech-insights-backend'));
backend.add(
  import('@backstage-community/plugin-tech-insights-backend-module-jsonfc'),
);
backend.add(
  import(
    '@trailguard/plugin-tech-insights-backend-module-cloudtrail-encryption'
  ),
);

// TrailGuard: CloudTrail SSE-KMS reports and their remediation actions.
backend.add(import('@trailguard/plugin-cloudtrail-encryption-backend'));
backend.add(
  import('@trailguard/plugin-scaffolder-backend-module-cloudtrail-encryption'),
);

// The local AWS sandbox, development only: it starts when
// trailguardSandbox.enabled is set (app-config.development.yaml) and refuses
// to under a production configuration.
if (development) {
  backend.add(import('@trailguard/aws-sandbox/backend'));
}

backend.start();
