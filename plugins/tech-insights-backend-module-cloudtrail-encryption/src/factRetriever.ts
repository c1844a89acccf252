import type {
  FactRetriever,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  getAwsAccountIdFromAnnotations,
  type AccountReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { cloudTrailEncryptionFactSchema, factsOfReport } from './facts';
import { TrailGuardReports, type ReportResult } from './TrailGuardReports';

/**
 * The id facts and checks refer to (`factIds`, `techInsights.factRetrievers`).
 *
 * @public
 */
export const CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID =
  'cloudtrailEncryptionFactRetriever';

/**
 * AWS-account entities, as AwsOrganizationCloudAccountProcessor emits them
 * (`cloud-account`) or as they are often written by hand (`aws-account`).
 *
 * @public
 */
export const AWS_ACCOUNT_ENTITY_FILTER = [
  { kind: 'resource', 'spec.type': ['cloud-account', 'aws-account'] },
];

const ENTITY_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.annotations',
];

/**
 * A fact retriever publishing, for every AWS-account entity annotated with
 * its account id, the CloudTrail encryption posture TrailGuard last stored
 * for that account. It reads reports, it never scans: facts are as fresh as
 * TrailGuard's last scan.
 *
 * @public
 */
export function createCloudTrailEncryptionFactRetriever(options: {
  catalog: CatalogService;
}): FactRetriever {
  const { catalog } = options;
  return {
    id: CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID,
    version: '0.1.0',
    title: 'CloudTrail log encryption',
    description:
      "Whether an AWS account's trails are encrypted with a working customer managed KMS key, from TrailGuard's reports",
    entityFilter: AWS_ACCOUNT_ENTITY_FILTER,
    schema: cloudTrailEncryptionFactSchema,
    async handler({ auth, discovery, logger, entityFilter }) {
      const credentials = await auth.getOwnServiceCredentials();
      const { items } = await catalog.getEntities(
        {
          filter: entityFilter ?? AWS_ACCOUNT_ENTITY_FILTER,
          fields: ENTITY_FIELDS,
        },
        { credentials },
      );
      const annotated = items.flatMap(entity => {
        const accountId = getAwsAccountIdFromAnnotations(
          entity.metadata.annotations,
        );
        return accountId ? [{ entity, accountId }] : [];
      });
      const results = await new TrailGuardReports({ auth, discovery }).read(
        annotated.map(a => a.accountId),
      );
      const failed = results.filter(isFailure);
      if (failed.length > 0 && failed.length === results.length) {
        throw new Error(
          `Could not read any TrailGuard report: ${failed[0].error.message}`,
        );
      }
      for (const { accountId, error } of failed) {
        // The entity keeps its previous facts rather than losing them to a
        // transient failure.
        logger.warn(
          `No CloudTrail encryption facts for account ${accountId} this run: ${error.message}`,
        );
      }
      const reports = new Map<string, AccountReport | undefined>();
      for (const result of results) {
        if (!isFailure(result)) reports.set(result.accountId, result.report);
      }
      return annotated.flatMap(({ entity, accountId }): TechInsightFact[] =>
        reports.has(accountId)
          ? [
              {
                entity: entityRefOf(entity),
                facts: factsOfReport(reports.get(accountId)),
              },
            ]
          : [],
      );
    },
  };
}

function isFailure(
  result: ReportResult,
): result is Extract<ReportResult, { error: Error }> {
  return 'error' in result;
}

function entityRefOf(entity: Entity): TechInsightFact['entity'] {
  return {
    namespace: entity.metadata.namespace ?? 'default',
    kind: entity.kind,
    name: entity.metadata.name,
  };
}
