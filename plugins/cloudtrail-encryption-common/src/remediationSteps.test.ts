import type { AccountReport, Finding, TrailReport } from './report';
import { remediationSteps, type RemediationStep } from './remediationSteps';

const GOV_TRAIL_ARN =
  'arn:aws-us-gov:cloudtrail:us-gov-west-1:300000000001:trail/gov-trail';

function trail(overrides: Partial<TrailReport> = {}): TrailReport {
  return {
    trailArn: GOV_TRAIL_ARN,
    name: 'gov-trail',
    homeRegion: 'us-gov-west-1',
    isMultiRegionTrail: true,
    isOrganizationTrail: false,
    ownerAccountId: '300000000001',
    s3BucketName: 'gov-cloudtrail-logs',
    bucketRegion: 'us-gov-east-1',
    encryption: 'SSE-KMS',
    kmsKey: {
      arn: 'arn:aws-us-gov:kms:us-gov-west-1:300000000001:key/mrk-0123456789abcdef',
      keyId: 'mrk-0123456789abcdef',
      region: 'us-gov-west-1',
      accountId: '300000000001',
      state: 'Enabled',
      multiRegion: true,
      policyReadable: true,
    },
    decryptPrincipals: [],
    delivery: {},
    findings: [],
    ...overrides,
  };
}

function report(t: TrailReport): Pick<AccountReport, 'accountId' | 'trails'> {
  return { accountId: '300000000001', trails: [t] };
}

function finding(code: Finding['code'], trailArn = GOV_TRAIL_ARN): Finding {
  return {
    code,
    severity: 'high',
    message: `${code} on gov-trail`,
    remediation: `generic text for ${code}`,
    trailArn,
  };
}

const commands = (steps: RemediationStep[]) =>
  steps.flatMap(s => (s.command ? [s.command] : []));

describe('remediationSteps', () => {
  it('replicates a multi-Region key into the bucket Region, in the trail partition', () => {
    const steps = remediationSteps(
      finding('KMS_KEY_REGION_MISMATCH'),
      report(trail()),
    );
    const all = commands(steps).join('\n');
    expect(all).toContain('aws kms replicate-key');
    expect(all).toContain('--replica-region us-gov-east-1');
    expect(all).toContain(
      '--kms-key-id arn:aws-us-gov:kms:us-gov-east-1:300000000001:key/mrk-0123456789abcdef',
    );
    expect(all).toContain(`--name ${GOV_TRAIL_ARN}`);
    expect(all).toContain('--region us-gov-west-1');
    // The replica's policy is built for the GovCloud partition.
    const policy = JSON.stringify(steps.find(s => s.json)?.json?.value);
    expect(policy).toContain('arn:aws-us-gov:iam::300000000001:root');
    expect(policy).toContain(
      'arn:aws-us-gov:cloudtrail:*:300000000001:trail/*',
    );
    expect(policy).not.toContain('arn:aws:');
  });

  it('replicates from the primary, and reuses a replica already in the bucket Region', () => {
    const primary =
      'arn:aws-us-gov:kms:us-gov-east-2:300000000001:key/mrk-0123456789abcdef';
    const replica = trail({
      kmsKey: {
        ...trail().kmsKey!,
        multiRegionKeyType: 'REPLICA',
        primaryKeyArn: primary,
        replicaKeyArns: [trail().kmsKey!.arn],
      },
    });
    const fromPrimary = commands(
      remediationSteps(finding('KMS_KEY_REGION_MISMATCH'), report(replica)),
    ).join('\n');
    expect(fromPrimary).toMatch(
      /replicate-key[\s\S]*--key-id arn:aws-us-gov:kms:us-gov-east-2:[\s\S]*--region us-gov-east-2/,
    );

    const withReplica = trail({
      kmsKey: {
        ...trail().kmsKey!,
        replicaKeyArns: [
          'arn:aws-us-gov:kms:us-gov-east-1:300000000001:key/mrk-0123456789abcdef',
        ],
      },
    });
    const steps = remediationSteps(
      finding('KMS_KEY_REGION_MISMATCH'),
      report(withReplica),
    );
    expect(steps).toHaveLength(1);
    expect(steps[0].text).toContain('already exists in us-gov-east-1');
    expect(steps[0].command?.replace(/ \\\n\s+/g, ' ')).toBe(
      `aws cloudtrail update-trail --name ${GOV_TRAIL_ARN} --kms-key-id arn:aws-us-gov:kms:us-gov-east-1:300000000001:key/mrk-0123456789abcdef --region us-gov-west-1`,
    );
  });

  it('creates a new key in the bucket Region for a single-Region key', () => {
    const t = trail({
      kmsKey: { ...trail().kmsKey!, multiRegion: false },
      decryptPrincipals: [
        {
          principal: 'arn:aws-us-gov:iam::300000000001:role/LogReader',
          kind: 'iam-role',
          accountId: '300000000001',
          via: 'key-policy',
          conditions: [],
        },
      ],
    });
    const steps = remediationSteps(
      finding('KMS_KEY_REGION_MISMATCH'),
      report(t),
    );
    const all = commands(steps).join('\n');
    expect(all).toMatch(
      /KEY_ARN=\$\(aws kms create-key[\s\S]*--region us-gov-east-1/,
    );
    expect(all).toContain('--kms-key-id "$KEY_ARN"');
    // Today's named reader keeps its access on the new key.
    expect(JSON.stringify(steps.map(s => s.json?.value))).toContain(
      'arn:aws-us-gov:iam::300000000001:role/LogReader',
    );
  });

  it('looks the bucket Region up when it is unknown, without a placeholder', () => {
    const t = trail({
      bucketRegion: undefined,
      encryption: 'SSE-S3',
      kmsKey: undefined,
    });
    const steps = remediationSteps(
      finding('TRAIL_NOT_KMS_ENCRYPTED'),
      report(t),
    );
    const all = commands(steps).join('\n');
    expect(all).toContain(
      'BUCKET_REGION=$(aws s3api head-bucket --bucket gov-cloudtrail-logs',
    );
    expect(all).toContain('--region "$BUCKET_REGION"');
    expect(JSON.stringify(steps)).not.toMatch(/<[^<>\s]+>/);
  });

  it('adds the encrypt statement for an organization trail with its owner as encryption context', () => {
    const org = trail({
      trailArn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail',
      name: 'org-trail',
      homeRegion: 'us-east-1',
      isOrganizationTrail: true,
      ownerAccountId: '111111111111',
      bucketRegion: 'us-east-1',
      kmsKey: {
        arn: 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        region: 'us-east-1',
        accountId: '222222222222',
        state: 'Enabled',
        policyReadable: true,
      },
    });
    const steps = remediationSteps(
      finding('CLOUDTRAIL_CANNOT_ENCRYPT', org.trailArn),
      { accountId: '100000000001', trails: [org] },
    );
    expect(steps[0].accountId).toBe('222222222222');
    expect(steps[0].command).toContain('aws kms get-key-policy');
    const statement = steps.find(s => s.json)!.json!.value;
    expect(statement).toMatchObject({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Condition: {
        StringEquals: { 'aws:SourceArn': org.trailArn },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn':
            'arn:aws:cloudtrail:*:111111111111:trail/*',
        },
      },
    });
    expect(commands(steps).join('\n')).toContain('aws kms put-key-policy');
  });

  it('quotes values the shell would split', () => {
    const t = trail({ name: "ops's trail" });
    const steps = remediationSteps(
      finding('TRAIL_NOT_KMS_ENCRYPTED'),
      report({ ...t, kmsKey: undefined }),
    );
    expect(commands(steps).join('\n')).toContain(
      `--description 'CloudTrail log files of ops'\\''s trail'`,
    );
  });

  it('falls back to the catalogue text for a finding about no trail of the report', () => {
    expect(
      remediationSteps(
        finding(
          'TRAIL_NOT_LOGGING',
          'arn:aws:cloudtrail:us-east-1:1:trail/gone',
        ),
        report(trail()),
      ),
    ).toEqual([{ text: 'generic text for TRAIL_NOT_LOGGING' }]);
  });
});
