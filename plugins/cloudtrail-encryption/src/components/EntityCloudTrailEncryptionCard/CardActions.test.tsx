import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  compliantReport,
  noTrailsReport,
  ORG_KEY_ARN,
  publicDecryptReport,
  regionMismatchReport,
} from '../../__testUtils__/reports';
import {
  formDataOf,
  renderCard,
  testSignals,
  withReport,
} from '../../__testUtils__/renderCard';
import { act } from '@testing-library/react';
import {
  mockCloudTrailEncryptionApi,
  responseError,
} from '../../__testUtils__/testing';

describe('EntityCloudTrailEncryptionCard actions', () => {
  it('links Remediate to the template with prefilled form data', async () => {
    await renderCard(withReport(regionMismatchReport));
    const trail = await screen.findByTestId('trail-payments-trail');
    const link = within(trail).getByRole('button', { name: 'Remediate' });
    expect(link.getAttribute('href')).toMatch(
      /^\/create\/templates\/default\/cloudtrail-sse-kms\?formData=/,
    );
    // The key is in the wrong Region, so a new key is asked for.
    expect(formDataOf(link)).toEqual({
      accountEntity: 'resource:default/aws-payments-prod',
      accountId: '100000000001',
      trailArn:
        'arn:aws:cloudtrail:eu-west-1:100000000001:trail/payments-trail',
      trailName: 'payments-trail',
      trailRegion: 'eu-west-1',
      bucketName: 'payments-prod-cloudtrail',
      bucketRegion: 'eu-west-1',
      keyMode: 'create',
    });
  });

  it('offers to narrow the Decrypt statements of a key open to everyone', async () => {
    await renderCard(withReport(publicDecryptReport));
    const trail = await screen.findByTestId('trail-org-trail');
    expect(
      formDataOf(within(trail).getByRole('button', { name: 'Remediate' })),
    ).toMatchObject({
      existingKeyArn: ORG_KEY_ARN,
      keyMode: 'narrow-decrypt',
    });
  });

  it('offers to reuse a usable key whose policy lacks CloudTrail statements', async () => {
    const [orgTrail] = publicDecryptReport.trails;
    const report: AccountReport = {
      ...publicDecryptReport,
      trails: [
        {
          ...orgTrail,
          decryptPrincipals: [],
          findings: [
            {
              code: 'CLOUDTRAIL_CANNOT_ENCRYPT',
              severity: 'critical',
              message: 'CloudTrail cannot encrypt.',
              remediation: 'Add the statement.',
              trailArn: orgTrail.trailArn,
            },
          ],
        },
      ],
    };
    report.findings = report.trails[0].findings;
    await renderCard(withReport(report));
    const trail = await screen.findByTestId('trail-org-trail');
    expect(
      formDataOf(within(trail).getByRole('button', { name: 'Remediate' })),
    ).toMatchObject({
      existingKeyArn: ORG_KEY_ARN,
      keyMode: 'existing',
    });
  });

  it.each(['Disabled', 'PendingDeletion'] as const)(
    'asks for a new key instead of a %s one',
    async state => {
      const [orgTrail] = publicDecryptReport.trails;
      const report: AccountReport = {
        ...publicDecryptReport,
        trails: [
          { ...orgTrail, kmsKey: { ...orgTrail.kmsKey!, state } },
          ...publicDecryptReport.trails.slice(1),
        ],
      };
      await renderCard(withReport(report));
      const trail = await screen.findByTestId('trail-org-trail');
      const formData = formDataOf(
        within(trail).getByRole('button', { name: 'Remediate' }),
      );
      expect(formData).toMatchObject({ keyMode: 'create' });
      // Never the key to use: only the trail's own key, which the form's
      // "re-enable" alternative works on.
      expect(formData.existingKeyArn).toBe(orgTrail.kmsKey!.arn);
    },
  );

  it('hides Remediate when the template route is not bound', async () => {
    await renderCard(withReport(regionMismatchReport), { bindTemplate: false });
    await screen.findByTestId('trail-payments-trail');
    expect(
      screen.queryByRole('button', { name: 'Remediate' }),
    ).not.toBeInTheDocument();
  });

  it('offers no Remediate when there is no trail, and says what to do instead', async () => {
    await renderCard(withReport(noTrailsReport));
    expect(await screen.findByText('No trails')).toBeInTheDocument();
    // The actions change existing trails: a form that cannot succeed is not offered.
    expect(
      screen.queryByRole('button', { name: 'Remediate' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(/Not fixable here: Remediate changes existing trails/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/aws cloudtrail create-trail --name management-events/),
    ).toBeInTheDocument();
  });

  it("shows a report stored elsewhere as soon as the account's signal says so", async () => {
    const signals = testSignals();
    const getEntityReport = jest
      .fn()
      .mockResolvedValueOnce(regionMismatchReport)
      .mockResolvedValueOnce(compliantReport);
    await renderCard(mockCloudTrailEncryptionApi({ getEntityReport }), {
      signals: signals.api,
    });
    await screen.findByTestId('trail-payments-trail');
    expect(screen.getByText('Non-compliant')).toBeInTheDocument();
    // Other accounts' signals and other message types change nothing.
    act(() => {
      signals.publish('cloudtrail-encryption:account:100000000099', {
        type: 'report-stored',
        accountId: '100000000099',
        scannedAt: '2026-12-04T10:00:00Z',
      });
      signals.publish('cloudtrail-encryption:account:100000000001', {
        type: 'rescan-started',
        accountId: '100000000001',
        runId: 'r1',
      });
    });
    expect(getEntityReport).toHaveBeenCalledTimes(1);
    act(() => {
      signals.publish('cloudtrail-encryption:account:100000000001', {
        type: 'report-stored',
        accountId: '100000000001',
        scannedAt: '2026-12-04T10:00:00Z',
      });
    });
    expect(await screen.findByText('Compliant')).toBeInTheDocument();
    expect(getEntityReport).toHaveBeenCalledTimes(2);
  });

  it('rescans and shows the new report', async () => {
    let finish: (report: AccountReport) => void = () => {};
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest.fn().mockResolvedValue(regionMismatchReport),
      rescanAccount: jest.fn(
        () => new Promise<AccountReport>(resolve => (finish = resolve)),
      ),
    });
    await renderCard(api);
    await screen.findByTestId('trail-payments-trail');
    const button = screen.getByRole('button', { name: 'Rescan' });
    await waitFor(() => expect(button).toBeEnabled());
    await userEvent.click(button);

    expect(api.rescanAccount).toHaveBeenCalledWith('100000000001');
    expect(
      screen.getByRole('progressbar', { name: 'Rescanning' }),
    ).toBeInTheDocument();
    expect(button).toBeDisabled();

    finish(compliantReport);
    expect(await screen.findByTestId('trail-org-trail')).toBeInTheDocument();
    expect(
      screen.queryByTestId('trail-payments-trail'),
    ).not.toBeInTheDocument();
    expect(screen.getByText('Compliant')).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('reports a failed rescan', async () => {
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest.fn().mockResolvedValue(compliantReport),
      rescanAccount: jest
        .fn()
        .mockRejectedValue(
          await responseError(403, 'NotAllowedError', 'Unauthorized'),
        ),
    });
    await renderCard(api);
    const button = await screen.findByRole('button', { name: 'Rescan' });
    await waitFor(() => expect(button).toBeEnabled());
    await userEvent.click(button);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Rescan failed: You are not allowed to trigger scans (Unauthorized)',
    );
    // The report stays.
    expect(screen.getByTestId('trail-org-trail')).toBeInTheDocument();
  });

  it('can scan an account that was never scanned', async () => {
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest
        .fn()
        .mockRejectedValue(await responseError(404, 'NotFoundError', 'none')),
      rescanAccount: jest.fn().mockResolvedValue(compliantReport),
    });
    await renderCard(api);
    await screen.findByText('Not scanned yet');
    const button = screen.getByRole('button', { name: 'Rescan' });
    await waitFor(() => expect(button).toBeEnabled());
    await userEvent.click(button);
    expect(await screen.findByTestId('trail-org-trail')).toBeInTheDocument();
  });
});
