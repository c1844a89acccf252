import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  AccountReport,
  Finding,
  FindingCode,
  KmsKeyInfo,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  accountEntity,
  organizationTrail,
  publicDecryptReport,
} from '../../__testUtils__/reports';
import {
  formDataOf,
  renderCard,
  withReport,
} from '../../__testUtils__/renderCard';
import {
  isNotFixableHere,
  remediationFormData,
  trailRemediationPlan,
} from './remediation';

const TRAIL_ARN =
  'arn:aws:cloudtrail:us-east-1:100000000003:trail/data-lake-trail';
const KEY_ARN =
  'arn:aws:kms:us-east-1:100000000003:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const MRK_ARN =
  'arn:aws:kms:eu-west-1:100000000003:key/mrk-e24b0a68dbd8470cbbc1ca05ae45feda';

function finding(
  code: FindingCode,
  severity: Finding['severity'] = 'critical',
): Finding {
  return {
    code,
    severity,
    message: `${code} on data-lake-trail`,
    remediation: `Fix ${code}.`,
    trailArn: TRAIL_ARN,
  };
}

const enabledKey: KmsKeyInfo = {
  arn: KEY_ARN,
  keyId: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
  region: 'us-east-1',
  accountId: '100000000003',
  state: 'Enabled',
  keyManager: 'CUSTOMER',
  keySpec: 'SYMMETRIC_DEFAULT',
  multiRegion: false,
  rotationEnabled: true,
  policyReadable: true,
};

function trailWith(
  findings: Finding[],
  overrides: Partial<TrailReport> = {},
): TrailReport {
  return {
    trailArn: TRAIL_ARN,
    name: 'data-lake-trail',
    homeRegion: 'us-east-1',
    isMultiRegionTrail: true,
    isOrganizationTrail: false,
    ownerAccountId: '100000000003',
    s3BucketName: 'data-lake-cloudtrail-100000000003',
    bucketRegion: 'us-east-1',
    encryption: 'SSE-KMS',
    kmsKey: enabledKey,
    keyRegionMatchesBucket: true,
    cloudTrailCanEncrypt: true,
    cloudTrailCanDescribe: true,
    decryptPrincipals: [],
    delivery: { isLogging: true },
    findings,
    ...overrides,
  };
}

function reportOf(trail: TrailReport): AccountReport {
  return {
    accountId: '100000000003',
    accountName: 'data-lake',
    scannedAt: '2026-11-29T08:00:00Z',
    lastSuccessAt: '2026-11-29T08:00:00Z',
    scanStatus: 'ok',
    status: 'non-compliant',
    trails: [trail],
    findings: trail.findings,
  };
}

describe('trailRemediationPlan', () => {
  it.each<[string, TrailReport, string | undefined, string | undefined]>([
    [
      'SSE-S3 only → a new key',
      trailWith([finding('TRAIL_NOT_KMS_ENCRYPTED', 'high')], {
        encryption: 'SSE-S3',
        kmsKey: undefined,
      }),
      'create',
      undefined,
    ],
    [
      'disabled key → a new key, re-enabling offered',
      trailWith(
        [
          finding('KMS_KEY_NOT_ENABLED'),
          finding('TRAIL_DELIVERY_FAILING', 'high'),
        ],
        {
          kmsKey: { ...enabledKey, state: 'Disabled' },
        },
      ),
      'create',
      'restore',
    ],
    [
      'key pending deletion → a new key, cancelling the deletion offered',
      trailWith([finding('KMS_KEY_PENDING_DELETION')], {
        kmsKey: { ...enabledKey, state: 'PendingDeletion' },
      }),
      'create',
      'restore',
    ],
    [
      'vanished key → a new key, nothing to re-enable',
      trailWith([finding('KMS_KEY_NOT_ENABLED')], {
        kmsKey: { ...enabledKey, state: 'Unknown' as KmsKeyInfo['state'] },
      }),
      'create',
      undefined,
    ],
    [
      'single-Region key in another Region → a new key',
      trailWith([finding('KMS_KEY_REGION_MISMATCH')], {
        kmsKey: { ...enabledKey, region: 'eu-west-1' },
        keyRegionMatchesBucket: false,
      }),
      'create',
      undefined,
    ],
    [
      'multi-Region key in another Region → its replica',
      trailWith([finding('KMS_KEY_REGION_MISMATCH')], {
        kmsKey: {
          ...enabledKey,
          arn: MRK_ARN,
          keyId: 'mrk-e24b0a68dbd8470cbbc1ca05ae45feda',
          region: 'eu-west-1',
          multiRegion: true,
        },
        keyRegionMatchesBucket: false,
      }),
      'replicate',
      undefined,
    ],
    [
      'Decrypt open to everyone → narrowed',
      trailWith([finding('DECRYPT_OPEN_TO_ANY_PRINCIPAL')]),
      'narrow-decrypt',
      undefined,
    ],
    [
      'CloudTrail statements missing → added to the key policy',
      trailWith([finding('CLOUDTRAIL_CANNOT_DESCRIBE_KEY', 'high')]),
      'existing',
      undefined,
    ],
    [
      "an AWS managed key's policy cannot change → a new key",
      trailWith([finding('CLOUDTRAIL_CANNOT_ENCRYPT')], {
        kmsKey: { ...enabledKey, keyManager: 'AWS' },
      }),
      'create',
      undefined,
    ],
    [
      'decrypt granted to an outside account → nothing here',
      trailWith([finding('DECRYPT_CROSS_ACCOUNT', 'high')]),
      undefined,
      undefined,
    ],
    [
      'unreadable key policy → nothing here',
      trailWith([finding('KEY_POLICY_UNREADABLE', 'high')]),
      undefined,
      undefined,
    ],
    [
      'delivery failing with a working key → nothing here',
      trailWith([finding('TRAIL_DELIVERY_FAILING', 'high')]),
      undefined,
      undefined,
    ],
  ])('%s', (_name, trail, keyMode, alternative) => {
    const plan = trailRemediationPlan(trail);
    expect(plan.keyMode).toBe(keyMode);
    expect(plan.alternative).toBe(alternative);
    // With a fix, every blocking finding of these trails is removed by it;
    // without one, every blocking finding is left to the manual steps.
    expect(plan.manual.map(f => f.code)).toEqual(
      keyMode ? [] : trail.findings.map(f => f.code),
    );
  });

  it('names the findings its fix leaves for the manual steps', () => {
    const trail = trailWith([
      finding('DECRYPT_OPEN_TO_ANY_PRINCIPAL'),
      finding('DECRYPT_CROSS_ACCOUNT', 'high'),
      finding('KEY_ROTATION_DISABLED', 'low'),
    ]);
    const plan = trailRemediationPlan(trail);
    expect(plan.keyMode).toBe('narrow-decrypt');
    expect(plan.fixed.map(f => f.code)).toEqual([
      'DECRYPT_OPEN_TO_ANY_PRINCIPAL',
    ]);
    // Low findings never block, so they are neither fixed nor manual.
    expect(plan.manual.map(f => f.code)).toEqual(['DECRYPT_CROSS_ACCOUNT']);
    const report = reportOf(trail);
    expect(isNotFixableHere(trail.findings[1], report)).toBe(true);
    expect(isNotFixableHere(trail.findings[0], report)).toBe(false);
    expect(isNotFixableHere(trail.findings[2], report)).toBe(false);
  });

  it('a new key also removes what was wrong with the old one', () => {
    const trail = trailWith(
      [
        finding('KMS_KEY_NOT_ENABLED'),
        finding('DECRYPT_CROSS_ACCOUNT', 'high'),
      ],
      { kmsKey: { ...enabledKey, state: 'Disabled' } },
    );
    expect(trailRemediationPlan(trail).manual).toEqual([]);
  });
});

describe('remediationFormData', () => {
  it("prefills only the trail's own key, never for a new key without an alternative", () => {
    const sseS3 = trailWith([finding('TRAIL_NOT_KMS_ENCRYPTED', 'high')], {
      encryption: 'SSE-S3',
      kmsKey: undefined,
    });
    expect(
      remediationFormData(accountEntity, '100000000003', sseS3),
    ).not.toHaveProperty('existingKeyArn', expect.anything());
    const replica = trailWith([finding('KMS_KEY_REGION_MISMATCH')], {
      kmsKey: {
        ...enabledKey,
        arn: MRK_ARN,
        keyId: 'mrk-e24b0a68dbd8470cbbc1ca05ae45feda',
        region: 'eu-west-1',
        multiRegion: true,
      },
      keyRegionMatchesBucket: false,
    });
    expect(remediationFormData(accountEntity, '100000000003', replica)).toEqual(
      {
        accountEntity: 'resource:default/aws-payments-prod',
        accountId: '100000000003',
        trailArn: TRAIL_ARN,
        trailName: 'data-lake-trail',
        trailRegion: 'us-east-1',
        bucketName: 'data-lake-cloudtrail-100000000003',
        bucketRegion: 'us-east-1',
        existingKeyArn: MRK_ARN,
        keyMode: 'replicate',
      },
    );
  });
});

describe('the card', () => {
  it('shows "Not fixable here" instead of Remediate, with the manual steps under the finding', async () => {
    const trail = {
      ...organizationTrail,
      decryptPrincipals: [
        {
          principal: 'arn:aws:iam::100000000099:role/SecurityAudit',
          kind: 'iam-role' as const,
          accountId: '100000000099',
          via: 'key-policy' as const,
          conditions: [],
          source: 'Allow the security audit account to decrypt log files',
        },
      ],
      findings: [
        {
          code: 'DECRYPT_CROSS_ACCOUNT' as const,
          severity: 'high' as const,
          message: 'Account 100000000099 can decrypt the log files.',
          remediation: 'Remove the outside reader.',
          trailArn: organizationTrail.trailArn,
        },
      ],
    };
    const report: AccountReport = {
      ...publicDecryptReport,
      trails: [trail],
      findings: trail.findings,
    };
    await renderCard(withReport(report));
    const item = await screen.findByTestId('trail-org-trail');
    expect(
      within(item).queryByRole('button', { name: 'Remediate' }),
    ).toBeNull();
    expect(
      within(item).getByLabelText(
        'Not fixable here: An outside account or organization can decrypt the logs',
      ),
    ).toBeInTheDocument();
    const findings = screen.getByRole('list', { name: 'Findings' });
    expect(within(findings).getByTestId('not-fixable-here')).toHaveTextContent(
      'Not fixable here',
    );
    await userEvent.click(
      within(findings).getByRole('button', { name: 'How to fix' }),
    );
    expect(within(findings).getByTestId('finding-steps')).toHaveTextContent(
      'arn:aws:iam::100000000099:role/SecurityAudit',
    );
  });

  it('marks nothing as not fixable on a trail Remediate fixes', async () => {
    await renderCard(withReport(publicDecryptReport));
    const item = await screen.findByTestId('trail-org-trail');
    expect(
      formDataOf(within(item).getByRole('button', { name: 'Remediate' }))
        .keyMode,
    ).toBe('narrow-decrypt');
    expect(screen.queryByTestId('not-fixable-here')).toBeNull();
    expect(screen.queryByTestId('trail-not-fixable-here')).toBeNull();
  });
});
