import {
  FINDING_CODES,
  filledRemediationText,
  remediationSteps,
  type AccountReport,
  type Finding,
  type FindingCode,
  type RemediationStep,
  type TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  compliantReport,
  publicDecryptReport,
  regionMismatchReport,
  sseS3Report,
} from '../../__testUtils__/reports';

/** `<owner-account-id>`, `<trail>` and the like: a value the reader must find. */
const PLACEHOLDER = /<[^<>\s]+>/;

const REPORTS: AccountReport[] = [
  compliantReport,
  regionMismatchReport,
  sseS3Report,
  publicDecryptReport,
];

/** Codes that change the key, and so need one. */
const KEY_CODES: FindingCode[] = [
  'KMS_KEY_NOT_ENABLED',
  'KMS_KEY_PENDING_DELETION',
  'CLOUDTRAIL_CANNOT_ENCRYPT',
  'CLOUDTRAIL_CANNOT_DESCRIBE_KEY',
  'DECRYPT_OPEN_TO_ANY_PRINCIPAL',
  'NO_DECRYPT_PRINCIPALS',
  'KEY_POLICY_UNREADABLE',
  'KEY_ROTATION_DISABLED',
];

function findingOf(code: FindingCode, trail: TrailReport): Finding {
  return {
    code,
    severity: 'high',
    message: `${code} on ${trail.name}`,
    // Catalogue-style text with the placeholders the catalogue uses.
    remediation: `Fix ${code} for <trail> of <owner-account-id>.`,
    trailArn: trail.trailArn,
  };
}

const everything = (steps: RemediationStep[]) =>
  steps
    .flatMap(s => [s.text, s.command ?? '', JSON.stringify(s.json ?? {})])
    .join('\n');

const cases = REPORTS.flatMap(report =>
  report.trails.flatMap(trail =>
    FINDING_CODES.map(code => ({ report, trail, code })),
  ),
);

describe('remediation steps for every finding code on the demo-like reports', () => {
  it.each(cases.map(c => [c.code, c.trail.name, c] as const))(
    '%s on %s',
    (_code, _trail, { report, trail, code }) => {
      const finding = findingOf(code, trail);
      const steps = remediationSteps(finding, report);
      expect(steps.length).toBeGreaterThan(0);
      const text = everything(steps);
      expect(text).not.toMatch(PLACEHOLDER);
      expect(filledRemediationText(finding, report)).toBe(
        `Fix ${code} for ${trail.name} of ${trail.ownerAccountId}.`,
      );

      const key = trail.kmsKey;
      // Long commands are continued over lines; read them as one.
      const commands = steps.flatMap(s =>
        s.command ? [s.command.replace(/ \\\n\s+/g, ' ')] : [],
      );
      // Every command says which Region it is for, and it is a real one.
      const regions = [
        trail.homeRegion,
        trail.bucketRegion,
        key?.region,
        '"$BUCKET_REGION"',
      ];
      for (const command of commands) {
        expect(command).toMatch(/^(\w+=\$\()?aws /);
        const region = command.match(/--region (\S+)/)?.[1];
        expect(regions).toContain(region);
      }
      for (const command of commands.filter(c => c.includes('cloudtrail '))) {
        expect(command).toContain(`--name ${trail.trailArn}`);
        expect(command).toContain(`--region ${trail.homeRegion}`);
      }
      for (const command of commands.filter(c =>
        / aws kms |^aws kms /.test(c),
      )) {
        // Either the trail's key, or the new key the steps just created.
        expect(
          command.includes(key?.arn ?? '\u0000') ||
            command.includes('"$KEY_ARN"') ||
            command.includes('create-key'),
        ).toBe(true);
      }
    },
  );

  const flat = (steps: RemediationStep[]) =>
    steps.flatMap(s =>
      s.command ? [s.command.replace(/ \\\n\s+/g, ' ')] : [],
    );
  const titled = (list: typeof cases) =>
    list.map(c => [c.code, c.trail.name, c] as const);

  it.each(
    titled(cases.filter(c => c.trail.kmsKey && KEY_CODES.includes(c.code))),
  )('%s on %s acts on the trail’s key in its Region', (_c, _t, c) => {
    const key = c.trail.kmsKey!;
    const commands = flat(
      remediationSteps(findingOf(c.code, c.trail), c.report),
    );
    expect(commands.some(command => command.includes(key.arn))).toBe(true);
    expect(
      commands.some(command => command.includes(`--region ${key.region}`)),
    ).toBe(true);
  });

  it.each(titled(cases.filter(c => c.code === 'TRAIL_NOT_LOGGING')))(
    '%s on %s starts logging on the trail',
    (_c, _t, { report, trail }) => {
      expect(
        flat(remediationSteps(findingOf('TRAIL_NOT_LOGGING', trail), report)),
      ).toEqual([
        `aws cloudtrail start-logging --name ${trail.trailArn} --region ${trail.homeRegion}`,
      ]);
    },
  );

  it.each(
    titled(
      cases.filter(
        c =>
          c.code === 'TRAIL_NOT_KMS_ENCRYPTED' ||
          (c.code === 'KMS_KEY_NOT_SYMMETRIC' && c.trail.kmsKey),
      ),
    ),
  )(
    '%s on %s creates a key in the bucket Region and moves the trail to it',
    (_c, _t, { report, trail, code }) => {
      const steps = remediationSteps(findingOf(code, trail), report);
      const commands = flat(steps);
      const create = commands.find(c => c.includes('create-key'))!;
      expect(create).toContain(`--region ${trail.bucketRegion}`);
      expect(steps.map(s => s.text).join('\n')).toContain(trail.s3BucketName);
      const policy = steps.find(s => s.json?.fileName)!.json!.value;
      expect(JSON.stringify(policy)).toContain(trail.trailArn);
      expect(commands.at(-1)).toBe(
        `aws cloudtrail update-trail --name ${trail.trailArn} --kms-key-id "$KEY_ARN" --region ${trail.homeRegion}`,
      );
    },
  );

  it('moves the mismatched trail to a key in its bucket Region', () => {
    const trail = regionMismatchReport.trails[0];
    const steps = remediationSteps(
      findingOf('KMS_KEY_REGION_MISMATCH', trail),
      regionMismatchReport,
    );
    const all = steps.map(s => s.command ?? '').join('\n');
    // The key (us-east-1) is not multi-Region: a new one in eu-west-1.
    expect(all).toMatch(/create-key[\s\S]*--region eu-west-1/);
    expect(all).toContain(`--name ${trail.trailArn}`);
    // The grant reader LogProcessor keeps its access on the new key.
    expect(JSON.stringify(steps.map(s => s.json))).toContain(
      'arn:aws:iam::100000000001:role/LogProcessor',
    );
  });

  it('restricts the public decrypt statement by name and to the key account', () => {
    const trail = publicDecryptReport.trails[0];
    const steps = remediationSteps(
      findingOf('DECRYPT_OPEN_TO_ANY_PRINCIPAL', trail),
      publicDecryptReport,
    );
    expect(everything(steps)).toContain('statement "OpenDecrypt"');
    const statement = steps.find(s => s.json)!.json!.value;
    expect(statement).toMatchObject({
      Sid: 'OpenDecrypt',
      Condition: {
        StringEquals: { 'kms:CallerAccount': '222222222222' },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn':
            'arn:aws:cloudtrail:*:111111111111:trail/*',
        },
      },
    });
  });

  it('names the cross-account readers to confirm or remove', () => {
    const steps = remediationSteps(
      findingOf('DECRYPT_CROSS_ACCOUNT', compliantReport.trails[0]),
      compliantReport,
    );
    const all = everything(steps);
    // The log-archive account holds the key: its readers are not "outside".
    expect(all).not.toContain('remove arn:aws:iam::222222222222');
    expect(all).toContain('Confirm that this reader should read the logs');
  });
});
