import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  FlatTechInsightFact,
  TechInsightFact,
  TechInsightsStore,
} from '@backstage-community/plugin-tech-insights-node';
import { JsonRulesEngineFactCheckerFactory } from '@backstage-community/plugin-tech-insights-backend-module-jsonfc';
import { mockServices } from '@backstage/backend-test-utils';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import type { AccountSummary } from '@trailguard/plugin-cloudtrail-encryption-common';
import { parse } from 'yaml';
import { startBackend } from './__testUtils__/backend';
import {
  CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID,
  cloudTrailEncryptionCheck,
  cloudTrailEncryptionFactSchema,
} from '.';

jest.setTimeout(120_000);

const NEVER_SCANNED = '999999999999';

function accountEntity(
  name: string,
  annotations: Record<string, string>,
  type = 'cloud-account',
  kind = 'Resource',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', annotations },
    spec: { type, owner: 'group:platform-team' },
  };
}

function catalogOf(sandbox: Sandbox): Entity[] {
  return [
    ...sandbox.scenario.accounts.map(a =>
      accountEntity(
        `aws-${a.name ?? a.id}`,
        { 'amazonaws.com/account-id': a.id },
        // Both entity types AWS accounts come as.
        a.id === '100000000009' ? 'aws-account' : 'cloud-account',
      ),
    ),
    // Roadie's annotation names the same account as another entity.
    accountEntity(
      'marketing-by-roadie',
      { 'amazon.com/account-id': '100000000002' },
      'aws-account',
    ),
    accountEntity('not-in-the-estate', {
      'amazonaws.com/account-id': NEVER_SCANNED,
    }),
    accountEntity('no-account-id', {}),
    accountEntity(
      'payments-service',
      { 'amazonaws.com/account-id': '100000000001' },
      'service',
      'Component',
    ),
  ];
}

/** The app-config of the Tech Insights section of docs/install.md. */
function documentedConfig(): any {
  const guide = readFileSync(
    join(__dirname, '../../../docs/install.md'),
    'utf8',
  );
  const section = guide.split('\n## Tech Insights (scorecards)\n')[1];
  const block = section?.match(/```yaml\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error('No app-config in the Tech Insights section');
  return parse(block);
}

const refOf = (fact: TechInsightFact) => stringifyEntityRef({ ...fact.entity });

/** The latest facts per entity, as Tech Insights' store keeps them. */
function storeOf(facts: TechInsightFact[]): TechInsightsStore {
  const byEntity = new Map(facts.map(f => [refOf(f), f]));
  const unused = async (): Promise<never> => {
    throw new Error('not used by the fact checker');
  };
  return {
    async getLatestFactsByIds(
      ids,
      entity,
    ): Promise<Record<string, FlatTechInsightFact>> {
      const fact = byEntity.get(entity);
      return fact && ids.includes(CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID)
        ? {
            [CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID]: {
              ...fact,
              id: CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID,
            },
          }
        : {};
    },
    async getLatestSchemas(ids) {
      return !ids || ids.includes(CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID)
        ? [cloudTrailEncryptionFactSchema]
        : [];
    },
    insertFacts: unused,
    getEntities: unused,
    getFactsBetweenTimestampsByIds: unused,
    insertFactSchema: unused,
  };
}

describe('the CloudTrail encryption fact retriever', () => {
  let sandbox: Sandbox;
  let h: Awaited<ReturnType<typeof startBackend>>;
  let facts: TechInsightFact[];
  let byRef: Map<string, TechInsightFact['facts']>;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    h = await startBackend({ sandbox, entities: catalogOf(sandbox) });
    await h.fullScan();
    facts = await h.host.run(CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID);
    byRef = new Map(facts.map(f => [refOf(f), f.facts]));
  });

  afterAll(async () => {
    await h?.backend.stop();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  const factsOf = (name: string) => byRef.get(`resource:default/${name}`);

  it('is added to Tech Insights under its id, for AWS-account entities', () => {
    const retriever =
      h.host.retrievers[CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID];
    expect(retriever.id).toBe(CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID);
    expect(retriever.entityFilter).toEqual([
      { kind: 'resource', 'spec.type': ['cloud-account', 'aws-account'] },
    ]);
  });

  it('publishes facts for every annotated account entity and nothing else', () => {
    const expected = [
      ...sandbox.scenario.accounts.map(
        a => `resource:default/aws-${a.name ?? a.id}`,
      ),
      'resource:default/marketing-by-roadie',
      'resource:default/not-in-the-estate',
    ].sort();
    expect(facts.map(refOf).sort()).toEqual(expected);
    for (const fact of facts) {
      expect(Object.keys(fact.facts).sort()).toEqual(
        Object.keys(cloudTrailEncryptionFactSchema).sort(),
      );
    }
  });

  it('gives a compliant account facts that all hold', () => {
    expect(factsOf('aws-payments-prod')).toEqual({
      sseKmsOnEveryTrail: true,
      keyRegionMatchesBucket: true,
      cloudTrailCanEncrypt: true,
      readersOutsideOrganization: 0,
      worstSeverity: expect.not.stringMatching(/^(critical|high|unknown)$/),
      status: 'compliant',
    });
  });

  it('tells each broken property apart', () => {
    // The trail uses SSE-S3 only: without a key, no key property holds.
    expect(factsOf('aws-marketing-sandbox')).toMatchObject({
      sseKmsOnEveryTrail: false,
      keyRegionMatchesBucket: false,
      cloudTrailCanEncrypt: false,
      status: 'non-compliant',
    });
    expect(factsOf('marketing-by-roadie')).toEqual(
      factsOf('aws-marketing-sandbox'),
    );
    // A multi-Region key in eu-west-1, the bucket in us-east-1.
    expect(factsOf('aws-data-lake')).toMatchObject({
      sseKmsOnEveryTrail: true,
      keyRegionMatchesBucket: false,
    });
    // The key policy lacks CloudTrail's kms:GenerateDataKey*.
    expect(factsOf('aws-checkout-staging')).toMatchObject({
      sseKmsOnEveryTrail: true,
      keyRegionMatchesBucket: true,
      cloudTrailCanEncrypt: false,
    });
    // A reader role assumable from 100000000099, outside the organization.
    expect(
      factsOf('aws-identity-prod')?.readersOutsideOrganization,
    ).toBeGreaterThan(0);
  });

  it('says nothing holds for an account TrailGuard has no report of', () => {
    expect(factsOf('not-in-the-estate')).toEqual({
      sseKmsOnEveryTrail: false,
      keyRegionMatchesBucket: false,
      cloudTrailCanEncrypt: false,
      readersOutsideOrganization: 0,
      worstSeverity: 'unknown',
      status: 'unknown',
    });
  });

  it('agrees with the fleet list on status, worst severity and outside readers', async () => {
    const ids = sandbox.scenario.accounts.map(a => a.id);
    const res = await h.api(
      `/accounts?${ids.map(id => `accountId=${id}`).join('&')}`,
    );
    expect(res.status).toBe(200);
    const items: AccountSummary[] = (await res.json()).items;
    expect(items).toHaveLength(ids.length);
    for (const item of items) {
      const name = sandbox.scenario.accounts.find(
        a => a.id === item.accountId,
      )!.name;
      expect({ account: item.accountId, ...factsOf(`aws-${name}`) }).toEqual(
        expect.objectContaining({
          account: item.accountId,
          status: item.status,
          worstSeverity: item.worstFinding?.severity ?? 'none',
          readersOutsideOrganization: item.outsideReadersCount ?? 0,
          sseKmsOnEveryTrail:
            item.trailCount > 0 &&
            !item.findingCodes.includes('TRAIL_NOT_KMS_ENCRYPTED'),
        }),
      );
    }
  });

  it('documents the exported check and gives the retriever a cadence', () => {
    const { id, ...check } = cloudTrailEncryptionCheck;
    const config = documentedConfig().techInsights;
    expect(config.factChecker.checks).toEqual({ [id]: check });
    expect(
      config.factRetrievers[CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID].cadence,
    ).toEqual(expect.any(String));
  });

  it('feeds the documented check of the JSON rules engine fact checker', async () => {
    const { id, ...check } = cloudTrailEncryptionCheck;
    const logger = mockServices.logger.mock();
    const checker = JsonRulesEngineFactCheckerFactory.fromConfig(
      mockServices.rootConfig({ data: documentedConfig() }),
      { logger },
    ).construct(storeOf(facts));

    const [registered] = await checker.getChecks();
    expect(registered).toMatchObject({ id, factIds: check.factIds });
    expect(await checker.validate(registered)).toEqual({ valid: true });

    const verdict = async (name: string) => {
      const results = await checker.runChecks(`resource:default/${name}`);
      expect(results).toHaveLength(1);
      return results[0].result;
    };
    expect(await verdict('aws-payments-prod')).toBe(true);
    expect(await verdict('aws-shared-services')).toBe(true);
    for (const failing of [
      'aws-marketing-sandbox',
      'aws-data-lake',
      'aws-checkout-staging',
      'aws-identity-prod',
      'not-in-the-estate',
    ]) {
      expect({ failing, result: await verdict(failing) }).toEqual({
        failing,
        result: false,
      });
    }
  });
});

describe('the CloudTrail encryption fact retriever without TrailGuard', () => {
  let sandbox: Sandbox;
  let h: Awaited<ReturnType<typeof startBackend>>;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    h = await startBackend({
      sandbox,
      entities: catalogOf(sandbox),
      trailGuard: false,
    });
  });

  afterAll(async () => {
    await h?.backend.stop();
    await sandbox?.close();
  });

  it('fails the run instead of reporting every account as unknown', async () => {
    await expect(
      h.host.run(CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID),
    ).rejects.toThrow(
      /TrailGuard backend did not answer at .*\/api\/cloudtrail-encryption\/health \(404\); no facts were stored/,
    );
  });
});
