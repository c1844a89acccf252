import type { Check } from '@backstage-community/plugin-tech-insights-common';
import { CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID } from './factRetriever';

/**
 * One condition of a json-rules-engine rule.
 *
 * @public
 */
export interface JsonRuleCondition {
  fact: string;
  operator: string;
  value: boolean | number | string;
}

/**
 * A check in the format of `@backstage-community/plugin-tech-insights-backend-module-jsonfc`
 * (its `TechInsightJsonRuleCheck`), written out here so that this module does
 * not depend on one fact checker.
 *
 * @public
 */
export interface JsonRuleCheck extends Check {
  type: 'json-rules-engine';
  rule: { conditions: { all: JsonRuleCondition[] } };
}

/**
 * "CloudTrail logs encrypted with a working customer key": every trail uses
 * SSE-KMS with a key in its bucket's Region that CloudTrail may use, and
 * nobody outside the organization can read the logs. The same check as
 * `techInsights.factChecker.checks.cloudtrailEncryptedWithWorkingKey` in
 * docs/install.md.
 *
 * @public
 */
export const cloudTrailEncryptionCheck: JsonRuleCheck = {
  id: 'cloudtrailEncryptedWithWorkingKey',
  type: 'json-rules-engine',
  name: 'CloudTrail logs encrypted with a working customer key',
  description:
    "Every trail of the account writes its logs with SSE-KMS, using a KMS key in the log bucket's Region whose policy lets CloudTrail encrypt, and no principal outside the organization can read the logs.",
  factIds: [CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID],
  rule: {
    conditions: {
      all: [
        { fact: 'sseKmsOnEveryTrail', operator: 'equal', value: true },
        { fact: 'keyRegionMatchesBucket', operator: 'equal', value: true },
        { fact: 'cloudTrailCanEncrypt', operator: 'equal', value: true },
        { fact: 'readersOutsideOrganization', operator: 'equal', value: 0 },
      ],
    },
  },
};
