import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// Auth: guest sign-in for local development (see app-config.yaml).
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// Catalog: the AWS-account entities the TrailGuard card is shown on.
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// Permissions: allow-all in development; replace the policy module in production.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);

// Scaffolder: runs the CloudTrail SSE-KMS remediation template.
backend.add(import('@backstage/plugin-scaffolder-backend'));

// TrailGuard: CloudTrail SSE-KMS reports and their remediation actions.
backend.add(import('@trailguard/plugin-cloudtrail-encryption-backend'));
backend.add(
  import('@trailguard/plugin-scaffolder-backend-module-cloudtrail-encryption'),
);
// The local AWS sandbox; it only starts when trailguardSandbox.enabled is set
// (app-config.yaml in development, never in production).
backend.add(import('@trailguard/aws-sandbox/backend'));

backend.start();
