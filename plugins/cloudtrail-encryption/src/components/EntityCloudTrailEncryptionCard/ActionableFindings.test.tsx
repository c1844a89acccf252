import { configApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  AccountReport,
  EstateSummary,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { cloudtrailEncryptionApiRef } from '../../api';
import {
  accountEntity,
  compliantReport,
  organizationTrail,
  regionMismatchReport,
} from '../../__testUtils__/reports';
import { renderCard, withReport } from '../../__testUtils__/renderCard';
import {
  mockCloudTrailEncryptionApi,
  permissionApi,
} from '../../__testUtils__/testing';
import { EntityCloudTrailEncryptionCard } from './EntityCloudTrailEncryptionCard';

/** The organization trail, moved into another partition. */
function trailIn(
  partition: 'aws-cn' | 'aws-us-gov',
  region: string,
): TrailReport {
  const swap = (value: string) =>
    value
      .replace(/^arn:aws:/, `arn:${partition}:`)
      .replace(':us-east-1:', `:${region}:`);
  return {
    ...organizationTrail,
    trailArn: swap(organizationTrail.trailArn),
    homeRegion: region,
    bucketRegion: region,
    kmsKey: {
      ...organizationTrail.kmsKey!,
      arn: swap(organizationTrail.kmsKey!.arn),
      region,
    },
    decryptPrincipals: organizationTrail.decryptPrincipals.map(p => ({
      ...p,
      principal: swap(p.principal),
    })),
  };
}

function reportWith(trail: TrailReport): AccountReport {
  return { ...compliantReport, trails: [trail] };
}

const UNASSUMABLE_ERROR =
  'Could not obtain credentials for account 100000000012: AccessDenied: User: arn:aws:iam::111111111111:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::100000000012:role/TrailGuardReadOnly';

const unassumableReport: AccountReport = {
  accountId: '100000000012',
  accountName: 'acquired-co',
  membership: {
    source: 'organization',
    state: 'ACTIVE',
    organizationId: 'o-tgdemo12345',
    ouPath: 'Root/Acquisitions',
  },
  scannedAt: '2026-11-29T08:00:00Z',
  scanStatus: 'error',
  error: UNASSUMABLE_ERROR,
  status: 'unknown',
  trails: [],
  findings: [],
};

const estateWithAccess: EstateSummary = {
  mode: 'organization',
  organizationId: 'o-tgdemo12345',
  managementAccountId: '111111111111',
  accountCount: 14,
  activeCount: 14,
  suspendedCount: 0,
  trustedAccountIds: [],
  scanAccess: {
    scanningIdentityArn:
      'arn:aws:sts::111111111111:assumed-role/backstage-backend/i-0abc',
    trustPrincipalArn: 'arn:aws:iam::111111111111:role/backstage-backend',
    defaultRole: { roleName: 'TrailGuardReadOnly', externalIdRequired: true },
  },
};

async function renderUnassumable(estate: EstateSummary, config: object = {}) {
  const api = mockCloudTrailEncryptionApi({
    getEntityReport: jest.fn().mockResolvedValue(unassumableReport),
    getEstate: jest.fn().mockResolvedValue(estate),
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [cloudtrailEncryptionApiRef, api],
        [permissionApiRef, permissionApi(true)],
        [configApiRef, mockApis.config({ data: config })],
      ]}
    >
      <EntityProvider
        entity={{
          ...accountEntity,
          metadata: {
            name: 'aws-acquired-co',
            annotations: { 'amazonaws.com/account-id': '100000000012' },
          },
        }}
      >
        <EntityCloudTrailEncryptionCard />
      </EntityProvider>
    </TestApiProvider>,
  );
  return screen.findByTestId('cloudtrail-encryption-role-not-assumable');
}

// The first code block loads the syntax highlighter lazily.
jest.setTimeout(30_000);

describe('actionable findings', () => {
  it('shows the steps with the trail’s real values in copyable code blocks', async () => {
    await renderCard(withReport(regionMismatchReport));
    const findings = await screen.findByRole('list', { name: 'Findings' });
    const mismatch = findings.querySelector(
      '[data-finding-code="KMS_KEY_REGION_MISMATCH"]',
    ) as HTMLElement;
    await userEvent.click(
      within(mismatch).getByRole('button', { name: 'How to fix' }),
    );
    const steps = within(mismatch).getByRole('list', { name: 'Steps to fix' });
    // The key policy to save, then the commands, each with a copy button.
    const blocks = await within(steps).findAllByTestId('copyable-code');
    expect(blocks.map(b => b.getAttribute('data-language'))).toEqual([
      'json',
      'bash',
      'bash',
      'bash',
    ]);
    expect(
      await within(steps).findAllByRole('button', { name: 'Copy text' }),
    ).toHaveLength(4);
    const text = steps.textContent!;
    expect(text).toContain('aws kms create-key');
    expect(text).toContain('--region eu-west-1');
    expect(text).toContain(
      '--name arn:aws:cloudtrail:eu-west-1:100000000001:trail/payments-trail',
    );
    expect(text).toContain('"aws:SourceArn"');
    expect(text).toContain('payments-prod-cloudtrail');
    expect(text).not.toMatch(/<[^<>\s]+>/);

    const rotation = findings.querySelector(
      '[data-finding-code="KEY_ROTATION_DISABLED"]',
    ) as HTMLElement;
    await userEvent.click(
      within(rotation).getByRole('button', { name: 'How to fix' }),
    );
    const command = await within(rotation).findByTestId('copyable-code');
    // One command, continued over lines.
    expect(command.textContent!.replace(/ \\\s+/g, ' ')).toContain(
      'aws kms enable-key-rotation --key-id arn:aws:kms:us-east-1:100000000001:key/mrk-5f1c0e2d9a8b4c7d --region us-east-1',
    );
  });

  it.each([
    [
      'aws',
      organizationTrail,
      {
        trail:
          'https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/trails/arn%3Aaws%3Acloudtrail%3Aus-east-1%3A111111111111%3Atrail%2Forg-trail',
        bucket:
          'https://s3.console.aws.amazon.com/s3/buckets/tg-org-cloudtrail-logs?region=us-east-1',
        key: 'https://us-east-1.console.aws.amazon.com/kms/home?region=us-east-1#/kms/keys/1234abcd-12ab-34cd-56ef-1234567890ab',
        role: 'https://console.aws.amazon.com/iam/home#/roles/details/SecurityAuditor',
      },
    ],
    [
      'aws-cn',
      trailIn('aws-cn', 'cn-north-1'),
      {
        trail:
          'https://console.amazonaws.cn/cloudtrail/home?region=cn-north-1#/trails/arn%3Aaws-cn%3Acloudtrail%3Acn-north-1%3A111111111111%3Atrail%2Forg-trail',
        bucket:
          'https://console.amazonaws.cn/s3/buckets/tg-org-cloudtrail-logs?region=cn-north-1',
        key: 'https://console.amazonaws.cn/kms/home?region=cn-north-1#/kms/keys/1234abcd-12ab-34cd-56ef-1234567890ab',
        role: 'https://console.amazonaws.cn/iam/home#/roles/details/SecurityAuditor',
      },
    ],
    [
      'aws-us-gov',
      trailIn('aws-us-gov', 'us-gov-west-1'),
      {
        trail:
          'https://console.amazonaws-us-gov.com/cloudtrail/home?region=us-gov-west-1#/trails/arn%3Aaws-us-gov%3Acloudtrail%3Aus-gov-west-1%3A111111111111%3Atrail%2Forg-trail',
        bucket:
          'https://console.amazonaws-us-gov.com/s3/buckets/tg-org-cloudtrail-logs?region=us-gov-west-1',
        key: 'https://console.amazonaws-us-gov.com/kms/home?region=us-gov-west-1#/kms/keys/1234abcd-12ab-34cd-56ef-1234567890ab',
        role: 'https://console.amazonaws-us-gov.com/iam/home#/roles/details/SecurityAuditor',
      },
    ],
  ])(
    'links the trail, bucket, key policy and role in the %s console',
    async (_partition, trail, expected) => {
      await renderCard(withReport(reportWith(trail)));
      const item = await screen.findByTestId('trail-org-trail');
      const links = within(item).getByTestId('trail-console-links');
      const hrefOf = (name: RegExp) =>
        within(links).getByRole('link', { name }).getAttribute('href');
      expect(hrefOf(/^Trail: org-trail/)).toBe(expected.trail);
      expect(hrefOf(/^Bucket: tg-org-cloudtrail-logs/)).toBe(expected.bucket);
      expect(hrefOf(/^Key policy: alias\/cloudtrail-org/)).toBe(expected.key);
      for (const link of within(links).getAllByRole('link')) {
        expect(link).toHaveAttribute('target', '_blank');
        expect(link.getAttribute('rel')).toContain('noopener');
      }
      const role = within(item).getByRole('link', {
        name: 'Role SecurityAuditor in account 222222222222',
      });
      expect(role).toHaveAttribute('href', expected.role);
      expect(role.getAttribute('rel')).toContain('noopener');
      // An account root is not a role: no IAM link.
      expect(
        within(item).queryByRole('link', { name: /Any IAM principal/ }),
      ).not.toBeInTheDocument();
    },
  );

  it('says what to deploy when the scan role cannot be assumed', async () => {
    const block = await renderUnassumable(estateWithAccess);
    expect(await within(block).findByText(/Deploy role/)).toBeInTheDocument();
    expect(within(block).getByTestId('scan-role-arn')).toHaveTextContent(
      'arn:aws:iam::100000000012:role/TrailGuardReadOnly',
    );
    const policy = (await within(block).findByTestId('copyable-code'))
      .textContent!;
    expect(policy).toContain(
      '"AWS": "arn:aws:iam::111111111111:role/backstage-backend"',
    );
    expect(policy).toContain('"sts:ExternalId": "YOUR_EXTERNAL_ID"');
    expect(within(block).getByTestId('scan-role-org-note')).toHaveTextContent(
      '"aws:PrincipalOrgID": "o-tgdemo12345"',
    );
    // No docs URL configured: the doc's path, as text.
    expect(
      within(block).getByText(/docs\/iam-policies\.md/),
    ).toBeInTheDocument();
    expect(
      within(block).queryByRole('link', { name: /IAM policies/ }),
    ).not.toBeInTheDocument();
    // The raw STS error is kept, collapsed under Details.
    const details = within(block).getByTestId('scan-error-details');
    expect(details).toHaveTextContent(UNASSUMABLE_ERROR);
    expect(details.closest('details')).not.toHaveAttribute('open');
    expect(
      screen.queryByText(/The last scan failed: Could not obtain/),
    ).not.toBeInTheDocument();
  });

  it('links the permissions to the published docs and leaves out an unconfigured external id', async () => {
    const block = await renderUnassumable(
      {
        ...estateWithAccess,
        scanAccess: {
          ...estateWithAccess.scanAccess,
          defaultRole: {
            roleName: 'TrailGuardReadOnly',
            externalIdRequired: false,
          },
        },
      },
      {
        cloudtrailEncryption: {
          docsUrl: 'https://docs.example.com/trailguard/docs/findings.md',
        },
      },
    );
    expect(
      await within(block).findByRole('link', { name: 'IAM policies' }),
    ).toHaveAttribute(
      'href',
      'https://docs.example.com/trailguard/docs/iam-policies.md#scan-role-trailguardreadonly',
    );
    const policy = (await within(block).findByTestId('copyable-code'))
      .textContent!;
    expect(policy).not.toContain('sts:ExternalId');
  });

  it('keeps the plain error for a scan that failed after the role was assumed', async () => {
    const api = withReport({
      ...compliantReport,
      scanStatus: 'error',
      error:
        'AccessDenied: not authorized to perform: cloudtrail:DescribeTrails',
    });
    await renderCard(api);
    expect(
      await screen.findByText(/The last scan failed: AccessDenied/),
    ).toBeInTheDocument();
    expect(
      screen.queryByTestId('cloudtrail-encryption-role-not-assumable'),
    ).not.toBeInTheDocument();
    expect(api.getEstate).not.toHaveBeenCalled();
  });
});
