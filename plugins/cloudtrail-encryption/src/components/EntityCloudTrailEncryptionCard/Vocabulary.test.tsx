import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  compliantReport,
  organizationTrail,
  regionMismatchReport,
  scanErrorReport,
} from '../../__testUtils__/reports';
import { renderCard, withReport } from '../../__testUtils__/renderCard';

const statusChips = () =>
  screen
    .getAllByTestId('cloudtrail-encryption-status')
    .map(chip => chip.textContent);

describe('the card vocabulary', () => {
  it('names each finding by title and code', async () => {
    await renderCard(withReport(regionMismatchReport));
    const findings = await screen.findByRole('list', { name: 'Findings' });
    const mismatch = findings.querySelector(
      '[data-finding-code="KMS_KEY_REGION_MISMATCH"]',
    ) as HTMLElement;
    expect(
      within(mismatch).getByText('KMS key and bucket in different Regions'),
    ).toBeInTheDocument();
    // The code stands next to the title (linked once cloudtrailEncryption.docsUrl is set).
    expect(
      within(mismatch).getByText('KMS_KEY_REGION_MISMATCH'),
    ).toBeInTheDocument();
    // The message stays, beneath the title.
    expect(
      within(mismatch).getByText(/its key is in us-east-1/),
    ).toBeInTheDocument();
  });

  it('shows a broken key as "SSE-KMS — not working" with the reasons', async () => {
    await renderCard(withReport(regionMismatchReport));
    const trail = await screen.findByTestId('trail-payments-trail');
    expect(within(trail).queryByText('SSE-KMS')).not.toBeInTheDocument();
    const chip = within(trail).getByText('SSE-KMS — not working');
    await userEvent.hover(chip);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'The key is in us-east-1 but the bucket is in eu-west-1; the key policy does not let CloudTrail encrypt.',
    );
  });

  it('keeps the green "SSE-KMS" for a key CloudTrail can use', async () => {
    await renderCard(withReport(compliantReport));
    const trail = await screen.findByTestId('trail-org-trail');
    expect(within(trail).getByText('SSE-KMS')).toBeInTheDocument();
    expect(within(trail).queryByText(/not working/)).not.toBeInTheDocument();
  });

  it('says why an account with medium and low findings is compliant', async () => {
    await renderCard(
      withReport({
        ...compliantReport,
        findings: [
          {
            code: 'KEY_ROTATION_DISABLED',
            severity: 'low',
            message: 'Automatic rotation is off.',
            remediation: 'Enable rotation.',
            trailArn: organizationTrail.trailArn,
          },
        ],
      }),
    );
    expect(
      await screen.findByTestId('cloudtrail-encryption-compliant-hint'),
    ).toHaveTextContent(
      'Compliant despite low findings: only critical and high findings block compliance',
    );
  });

  it('gives no hint to a compliant account without findings', async () => {
    await renderCard(withReport(compliantReport));
    await screen.findByTestId('trail-org-trail');
    expect(
      screen.queryByTestId('cloudtrail-encryption-compliant-hint'),
    ).not.toBeInTheDocument();
  });

  it('uses the charts\' "Unknown" plus the scan badge when a scan never succeeded', async () => {
    await renderCard(
      withReport({
        ...scanErrorReport,
        lastSuccessAt: undefined,
        status: 'unknown',
        trails: [],
        findings: [],
      }),
    );
    await screen.findByText(/never been scanned successfully/);
    expect(statusChips()).toEqual(['Unknown', 'Scan error']);
  });
});
