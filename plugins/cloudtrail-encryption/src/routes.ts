import {
  createExternalRouteRef,
  createRouteRef,
} from '@backstage/core-plugin-api';

/**
 * The fleet page.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({ id: 'cloudtrail-encryption' });

/**
 * The Scaffolder page of one template, where the card's Remediate button
 * leads. Optional: without a binding the button is hidden rather than the app
 * failing to start.
 *
 * @public
 */
export const remediationTemplateRouteRef = createExternalRouteRef({
  id: 'remediation-template',
  params: ['namespace', 'templateName'],
  optional: true,
  defaultTarget: 'scaffolder.selectedTemplate',
});

/** Where the remediation template lives unless configured otherwise. */
export const DEFAULT_REMEDIATION_TEMPLATE = {
  namespace: 'default',
  name: 'cloudtrail-sse-kms',
} as const;
