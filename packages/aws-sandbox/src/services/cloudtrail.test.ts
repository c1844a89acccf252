import {
  DescribeTrailsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTrailsCommand,
  paginateListTrails,
  StopLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { loadScenario } from '../scenario/load';
import {
  caught,
  clientsAs,
  clientsFor,
  DEMO,
  useSandbox,
} from '../__testUtils__/clients';

const remediation = { role: 'TrailGuardRemediation' };

describe('CloudTrail', () => {
  const sandbox = useSandbox();

  beforeEach(() => sandbox().loadScenario('demo'));

  it('lists trails from every Region, including the organization trail', async () => {
    const { cloudtrail } = await clientsAs(sandbox(), DEMO.mlPlatform, {
      region: 'eu-west-1',
    });
    const out = await cloudtrail.send(new ListTrailsCommand({}));
    expect(out.Trails).toEqual([
      {
        TrailARN: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail',
        Name: 'org-trail',
        HomeRegion: 'us-east-1',
      },
      {
        TrailARN: 'arn:aws:cloudtrail:us-west-2:100000000011:trail/ml-trail',
        Name: 'ml-trail',
        HomeRegion: 'us-west-2',
      },
    ]);
    expect(out.NextToken).toBeUndefined();
  });

  it('pages ListTrails with NextToken', async () => {
    const demo = loadScenario('demo');
    sandbox().loadScenario({ ...demo, settings: { listTrailsPageSize: 1 } });
    const { cloudtrail } = await clientsAs(sandbox(), DEMO.payments);
    const first = await cloudtrail.send(new ListTrailsCommand({}));
    expect(first.Trails).toHaveLength(1);
    expect(first.NextToken).toEqual(expect.any(String));
    const names = [];
    for await (const page of paginateListTrails({ client: cloudtrail }, {})) {
      names.push(...page.Trails!.map(t => t.Name));
    }
    expect(names.sort()).toEqual(['org-trail', 'payments-trail']);
    const bad = await caught(
      cloudtrail.send(new ListTrailsCommand({ NextToken: 'x' })),
    );
    expect(bad.name).toBe('InvalidNextTokenException');
  });

  it('describes home trails first and shadow trails after', async () => {
    const { cloudtrail } = await clientsAs(sandbox(), DEMO.payments);
    const out = await cloudtrail.send(new DescribeTrailsCommand({}));
    expect(out.trailList).toEqual([
      {
        Name: 'payments-trail',
        S3BucketName: 'payments-prod-cloudtrail-100000000001',
        IncludeGlobalServiceEvents: true,
        IsMultiRegionTrail: true,
        HomeRegion: 'us-east-1',
        TrailARN: DEMO.paymentsTrailArn,
        LogFileValidationEnabled: true,
        KmsKeyId: DEMO.paymentsKeyArn,
        HasCustomEventSelectors: false,
        HasInsightSelectors: false,
        IsOrganizationTrail: false,
      },
      expect.objectContaining({
        Name: 'org-trail',
        TrailARN: DEMO.orgTrailArn,
        IsOrganizationTrail: true,
        KmsKeyId: DEMO.orgKeyArn,
        S3KeyPrefix: 'o-tgdemo12345',
      }),
    ]);
    const own = await cloudtrail.send(
      new DescribeTrailsCommand({ includeShadowTrails: false }),
    );
    expect(own.trailList!.map(t => t.Name)).toEqual(['payments-trail']);
  });

  it('shows multi-Region trails in other Regions only as shadows', async () => {
    const west = await clientsAs(sandbox(), DEMO.payments, {
      region: 'us-west-2',
    });
    const all = await west.cloudtrail.send(new DescribeTrailsCommand({}));
    expect(all.trailList!.map(t => t.Name).sort()).toEqual([
      'org-trail',
      'payments-trail',
    ]);
    const own = await west.cloudtrail.send(
      new DescribeTrailsCommand({ includeShadowTrails: false }),
    );
    expect(own.trailList).toEqual([]);
    const byArn = await west.cloudtrail.send(
      new DescribeTrailsCommand({
        trailNameList: [DEMO.orgTrailArn, 'no-such-trail'],
      }),
    );
    expect(byArn.trailList!.map(t => t.TrailARN)).toEqual([DEMO.orgTrailArn]);
  });

  it('gets a trail and its status by name or ARN', async () => {
    const { cloudtrail } = await clientsAs(sandbox(), DEMO.legacyBilling);
    const trail = await cloudtrail.send(
      new GetTrailCommand({ Name: 'billing-trail' }),
    );
    expect(trail.Trail!.KmsKeyId).toMatch(
      /^arn:aws:kms:us-east-1:100000000004:key\//,
    );
    const status = await cloudtrail.send(
      new GetTrailStatusCommand({ Name: 'billing-trail' }),
    );
    expect(status).toMatchObject({
      IsLogging: true,
      LatestDeliveryError: 'AccessDeniedException',
      LatestDeliveryTime: expect.any(Date),
      StartLoggingTime: expect.any(Date),
    });
    expect(Date.now() - status.LatestDeliveryTime!.getTime()).toBeGreaterThan(
      40 * 86_400_000,
    );

    const org = await cloudtrail.send(
      new GetTrailStatusCommand({ Name: DEMO.orgTrailArn }),
    );
    expect(org.IsLogging).toBe(true);
    expect(org.LatestDeliveryError).toBeUndefined();
    const byName = await caught(
      cloudtrail.send(new GetTrailStatusCommand({ Name: 'org-trail' })),
    );
    expect(byName.name).toBe('TrailNotFoundException');
    expect(byName.$metadata.httpStatusCode).toBe(400);
  });

  it('keeps other accounts’ trails out of reach', async () => {
    const { cloudtrail } = await clientsAs(sandbox(), DEMO.marketing);
    const err = await caught(
      cloudtrail.send(
        new GetTrailStatusCommand({ Name: DEMO.paymentsTrailArn }),
      ),
    );
    expect(err.name).toBe('TrailNotFoundException');
    expect(err.message).toBe(
      `Unknown trail: ${DEMO.paymentsTrailArn} for the user: ${DEMO.marketing}`,
    );
  });

  describe('UpdateTrail', () => {
    const update = async (
      account: string,
      KmsKeyId: string,
      Name = 'marketing-trail',
    ) => {
      const { cloudtrail } = await clientsAs(sandbox(), account, remediation);
      return cloudtrail.send(new UpdateTrailCommand({ Name, KmsKeyId }));
    };

    it('accepts a key whose policy lets CloudTrail use it, and reverts to SSE-S3', async () => {
      const s = sandbox();
      const keyArn = DEMO.paymentsKeyArn;
      const trailArn =
        'arn:aws:cloudtrail:us-east-1:100000000002:trail/marketing-trail';
      // A key of another account works when its policy names the trail.
      s.mutate.putKeyPolicy(keyArn, {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::100000000001:root' },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
          },
        ],
      });
      const out = await update(DEMO.marketing, keyArn);
      expect(out).toMatchObject({
        Name: 'marketing-trail',
        TrailARN: trailArn,
        KmsKeyId: keyArn,
      });
      expect(s.state.trails.get(trailArn)!.kmsKeyArn).toBe(keyArn);
      const back = await update(DEMO.marketing, '');
      expect(back.KmsKeyId).toBeUndefined();
    });

    it('resolves aliases in the trail’s account', async () => {
      const out = await update(
        DEMO.payments,
        'alias/payments-cloudtrail',
        'payments-trail',
      );
      expect(out.KmsKeyId).toBe(DEMO.paymentsKeyArn);
    });

    it('reports missing, disabled, pending-deletion and other-Region keys', async () => {
      const missing = await caught(update(DEMO.marketing, 'alias/nope'));
      expect(missing.name).toBe('KmsKeyNotFoundException');
      const disabled = await caught(
        update(
          DEMO.legacyBilling,
          'alias/legacy-billing-cloudtrail',
          'billing-trail',
        ),
      );
      expect(disabled.name).toBe('KmsKeyDisabledException');
      const pending = await caught(
        update(
          DEMO.retiredAnalytics,
          'alias/retired-analytics-cloudtrail',
          'analytics-trail',
        ),
      );
      expect(pending.name).toBe('KmsException');
      const mismatch = await caught(
        update(
          DEMO.dataLake,
          'arn:aws:kms:eu-west-1:100000000003:key/mrk-e24b0a68dbd8470cbbc1ca05ae45feda',
          'data-lake-trail',
        ),
      );
      expect(mismatch.name).toBe('KmsKeyNotFoundException');
      expect(mismatch.message).toContain('must be in the same Region');
    });

    it('requires the key policy to let CloudTrail encrypt and describe', async () => {
      const noGenerate = await caught(
        update(
          DEMO.checkout,
          'alias/checkout-staging-cloudtrail',
          'checkout-trail',
        ),
      );
      expect(noGenerate.name).toBe('InsufficientEncryptionPolicyException');
      expect(noGenerate.message).toContain('kms:GenerateDataKey*');
      const noDescribe = await caught(
        update(DEMO.searchDev, 'alias/search-dev-cloudtrail', 'search-trail'),
      );
      expect(noDescribe.name).toBe('InsufficientEncryptionPolicyException');
      expect(noDescribe.message).toContain('kms:DescribeKey');
    });

    it('only lets the owner update a trail, from its home Region, with a writable role', async () => {
      const unknown = await caught(update(DEMO.marketing, '', 'no-such-trail'));
      expect(unknown.name).toBe('TrailNotFoundException');
      const notOwner = await caught(
        update(DEMO.payments, '', DEMO.orgTrailArn),
      );
      expect(notOwner.name).toBe('NotOrganizationMasterAccountException');
      const ro = await clientsAs(sandbox(), DEMO.marketing);
      const denied = await caught(
        ro.cloudtrail.send(
          new UpdateTrailCommand({ Name: 'marketing-trail', KmsKeyId: '' }),
        ),
      );
      expect(denied.name).toBe('AccessDeniedException');
      const west = await clientsAs(sandbox(), DEMO.marketing, {
        ...remediation,
        region: 'us-west-2',
      });
      const wrongRegion = await caught(
        west.cloudtrail.send(
          new UpdateTrailCommand({ Name: 'marketing-trail', KmsKeyId: '' }),
        ),
      );
      expect(wrongRegion.name).toBe('InvalidHomeRegionException');
    });

    it('stops logging for the owner', async () => {
      const { cloudtrail } = await clientsAs(
        sandbox(),
        DEMO.marketing,
        remediation,
      );
      await cloudtrail.send(
        new StopLoggingCommand({ Name: 'marketing-trail' }),
      );
      const status = await cloudtrail.send(
        new GetTrailStatusCommand({ Name: 'marketing-trail' }),
      );
      expect(status.IsLogging).toBe(false);
      expect(status.StopLoggingTime).toEqual(expect.any(Date));
    });
  });

  it('lets the management account see its organization trail in every Region', async () => {
    const { cloudtrail } = clientsFor(sandbox(), { region: 'ap-southeast-2' });
    const out = await cloudtrail.send(new DescribeTrailsCommand({}));
    expect(out.trailList!.map(t => [t.Name, t.HomeRegion])).toEqual([
      ['org-trail', 'us-east-1'],
    ]);
  });
});
