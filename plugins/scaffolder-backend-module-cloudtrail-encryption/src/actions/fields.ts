import type { TemplateActionOptions } from '@backstage/plugin-scaffolder-node';
import {
  ACCOUNT_ID_PATTERN,
  KEY_REF_PATTERN,
  MESSAGES,
  PRINCIPAL_PATTERN,
  REGION_PATTERN,
  TRAIL_ARN_PATTERN,
} from '../validation';

/** The zod instance the scaffolder hands to schema functions. */
export type Zod = Parameters<
  NonNullable<NonNullable<TemplateActionOptions['schema']>['input']>[string]
>[0];

type ZodString = ReturnType<Zod['string']>;

/**
 * Input fields shared by the actions. The patterns end up in the JSON schema
 * the scaffolder validates step input against; the handlers validate again
 * with readable messages (see validation.ts).
 */
export const fields = {
  accountId: (z: Zod, description: string): ZodString =>
    z
      .string()
      .regex(ACCOUNT_ID_PATTERN, MESSAGES.accountId)
      .describe(description),
  region: (z: Zod, description: string): ZodString =>
    z.string().regex(REGION_PATTERN, MESSAGES.region).describe(description),
  trailArn: (z: Zod, description: string): ZodString =>
    z
      .string()
      .regex(TRAIL_ARN_PATTERN, MESSAGES.trailArn)
      .describe(description),
  keyRef: (z: Zod, description: string): ZodString =>
    z.string().regex(KEY_REF_PATTERN, MESSAGES.keyRef).describe(description),
  principal: (z: Zod): ZodString =>
    z.string().regex(PRINCIPAL_PATTERN, MESSAGES.principal),
};

export const TRAIL_ARNS_DESCRIPTION =
  'More trails that will use the key (together with trailArn). Give at least one of trailArn and trailArns.';

/** Sample values for the actions' examples. */
export const EXAMPLE = {
  accountId: '123456789012',
  trailArn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events',
  keyArn:
    'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  reader: 'arn:aws:iam::123456789012:role/SecurityAudit',
};
