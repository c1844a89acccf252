import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  reader,
  readersReport,
  readersTrail,
} from '../../__testUtils__/readers';
import { compliantReport, sseS3Report } from '../../__testUtils__/reports';
import { renderCard, withReport } from '../../__testUtils__/renderCard';

// Rendering the whole card in jsdom takes seconds on a loaded 2-core runner;
// this bounds a hung test, it does not time the card.
jest.setTimeout(30_000);

const SSO_ADMIN = 'AWSReservedSSO_AdministratorAccess_5f3a9c0e1b2d4a6f';

async function readersSection(trailName = 'org-trail') {
  const trail = await screen.findByTestId(`trail-${trailName}`);
  return within(trail).getByRole('region', { name: 'Who can read the logs' });
}

const readerItem = (list: HTMLElement, name: string) =>
  within(list)
    .getAllByTestId('reader')
    .find(item => within(item).queryByText(name))!;

describe('Who can read the logs', () => {
  it('names each reader with its account, badges and IAM console link', async () => {
    await renderCard(withReport(readersReport));
    const section = await readersSection();
    expect(
      within(section).getByText(
        '4 principals can decrypt and read the log files.',
        {
          exact: false,
        },
      ),
    ).toBeInTheDocument();
    const readers = within(section).getByRole('list', { name: 'Readers' });
    const items = within(readers).getAllByTestId('reader');
    expect(items).toHaveLength(4);
    // The partner outside the organization is listed first, then the other
    // account's auditor, then the log-archive account's own principals.
    expect(items.map(item => item.dataset.principal)).toEqual([
      'arn:aws:iam::100000000099:role/PartnerLogReader',
      'arn:aws:iam::333333333333:role/security/SecurityAuditor',
      `arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/${SSO_ADMIN}`,
      'arn:aws:iam::222222222222:user/ops/log-reviewer',
    ]);

    const partner = within(items[0]);
    expect(partner.getByText('outside organization')).toBeInTheDocument();
    expect(partner.getByText('cross-account')).toBeInTheDocument();
    expect(partner.getByText('role in 100000000099')).toBeInTheDocument();
    expect(partner.getByText('assumable by anyone')).toBeInTheDocument();

    const auditor = within(items[1]);
    expect(
      auditor.getByText('role in security (333333333333)'),
    ).toBeInTheDocument();
    expect(auditor.getByText('with 1 condition')).toBeInTheDocument();
    expect(auditor.queryByText('outside organization')).not.toBeInTheDocument();
    expect(auditor.queryByText(/^assumable/)).not.toBeInTheDocument();

    const admin = within(items[2]);
    expect(admin.getByRole('link', { name: SSO_ADMIN })).toHaveAttribute(
      'href',
      `https://console.aws.amazon.com/iam/home#/roles/details/${SSO_ADMIN}`,
    );
    expect(admin.getByText('broad policy')).toBeInTheDocument();
    expect(admin.queryByText('cross-account')).not.toBeInTheDocument();

    const user = within(items[3]);
    expect(user.getByRole('link', { name: 'log-reviewer' })).toHaveAttribute(
      'href',
      'https://console.aws.amazon.com/iam/home#/users/details/log-reviewer',
    );
    expect(
      user.getByText('user in log-archive (222222222222)'),
    ).toBeInTheDocument();
  });

  it('expands a reader to its path, its open conditions and who may assume it', async () => {
    await renderCard(withReport(readersReport));
    const section = await readersSection();
    const readers = within(section).getByRole('list', { name: 'Readers' });

    const admin = readerItem(readers, SSO_ADMIN);
    const toggle = within(admin).getByRole('button', {
      name: `Path of ${SSO_ADMIN}`,
    });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(within(admin).queryByTestId('reader-path')).not.toBeInTheDocument();
    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const adminPath = within(admin).getByTestId('reader-path');
    const steps = within(adminPath).getAllByRole('listitem');
    expect(steps[0]).toHaveTextContent(
      'Key policy, statement “EnableIAMUserPermissions”',
    );
    expect(steps[1]).toHaveTextContent(
      'Identity policy AdministratorAccess (AWS managed), statement #0',
    );
    expect(
      within(adminPath).getByText(
        'IAM Identity Center users with permission set AdministratorAccess',
      ),
    ).toBeInTheDocument();
    expect(
      within(adminPath).getByText(
        'StringEquals SAML:aud: https://signin.aws.amazon.com/saml',
      ),
    ).toBeInTheDocument();
    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'false');

    const auditor = readerItem(readers, 'SecurityAuditor');
    await userEvent.click(
      within(auditor).getByRole('button', { name: /^Path/ }),
    );
    const auditorPath = within(auditor).getByTestId('reader-path');
    expect(auditorPath).toHaveTextContent(
      'Inline policy read-cloudtrail-logs on role SecurityAuditor, statement “ReadLogs”',
    );
    expect(auditorPath).toHaveTextContent(
      'Bucket policy, statement “AllowSecurityAuditRead”',
    );
    expect(
      within(auditorPath).getByText('Allowed only when'),
    ).toBeInTheDocument();
    expect(
      within(auditorPath).getByText(
        'StringEquals aws:PrincipalTag/team: security',
      ),
    ).toBeInTheDocument();
    expect(
      within(auditorPath).getByText(
        'Principals of account security (333333333333) allowed by their IAM policies',
      ),
    ).toBeInTheDocument();

    const partner = readerItem(readers, 'PartnerLogReader');
    await userEvent.click(
      within(partner).getByRole('button', { name: /^Path/ }),
    );
    const trustees = within(
      within(partner).getByTestId('reader-path'),
    ).getByRole('list', { name: 'May be assumed by' });
    expect(
      within(trustees).getByText('Anyone (any AWS account)'),
    ).toBeInTheDocument();
    expect(
      within(trustees).getByText('outside organization'),
    ).toBeInTheDocument();

    const user = readerItem(readers, 'log-reviewer');
    await userEvent.click(within(user).getByRole('button', { name: /^Path/ }));
    const userPath = within(user).getByTestId('reader-path');
    expect(userPath).toHaveTextContent(
      'Identity policy LogReaders on group LogReviewers, statement “Read”',
    );
    // A user is nobody's to assume.
    expect(
      within(userPath).queryByText('May be assumed by'),
    ).not.toBeInTheDocument();
  });

  it('shows partial readers, unresolved accounts and ignored statements apart', async () => {
    await renderCard(withReport(readersReport));
    const section = await readersSection();
    expect(
      within(section).getByText(/Some accounts could not be resolved/),
    ).toBeInTheDocument();

    const decryptOnly = within(section).getByTestId('readers-decrypt-only');
    expect(
      within(decryptOnly).getByText('Can decrypt but not read the objects'),
    ).toBeInTheDocument();
    expect(
      within(decryptOnly)
        .getAllByTestId('reader')
        .map(r => r.dataset.principal),
    ).toEqual(['arn:aws:iam::222222222222:role/ci-deployer']);
    expect(within(decryptOnly).getByText('broad policy')).toBeInTheDocument();

    const readOnly = within(section).getByTestId('readers-read-only');
    expect(
      within(readOnly).getByText('Can read the objects but not decrypt'),
    ).toBeInTheDocument();
    expect(within(readOnly).getByText('DataPipeline')).toBeInTheDocument();

    // Partial readers are not counted or listed among the readers.
    const readers = within(section).getByRole('list', { name: 'Readers' });
    expect(within(readers).queryByText('ci-deployer')).not.toBeInTheDocument();
    expect(within(readers).queryByText('DataPipeline')).not.toBeInTheDocument();

    const unresolved = within(section).getByTestId('readers-unresolved');
    expect(unresolved).toHaveTextContent(
      'identity-prod (100000000005): AccessDenied: not authorized to perform iam:GetAccountAuthorizationDetails (the scan role needs iam:GetAccountAuthorizationDetails)',
    );
    expect(
      within(section).getByTestId('readers-ineffective'),
    ).toHaveTextContent(
      'key policy, statement LegacyNoResource: no Resource element',
    );

    // The key policy's own principals stay as the detail under the readers,
    // folded.
    const keyPolicy = within(section).getByTestId('key-policy-principals');
    expect(
      within(keyPolicy).queryByRole('list', { name: 'Decrypt principals' }),
    ).not.toBeInTheDocument();
    const unfold = within(keyPolicy).getByRole('button', {
      name: /^Key-policy principals \(2\)/,
    });
    expect(unfold).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(unfold);
    expect(unfold).toHaveAttribute('aria-expanded', 'true');
    expect(
      within(keyPolicy).getByRole('list', { name: 'Decrypt principals' }),
    ).toBeInTheDocument();
    expect(
      within(keyPolicy).getByText(
        'Role SecurityAuditor in account 222222222222',
      ),
    ).toBeInTheDocument();
  });

  it('shows the first readers of a long list until asked for all', async () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      reader({
        principal: `arn:aws:iam::222222222222:role/reader-${String(i).padStart(
          2,
          '0',
        )}`,
      }),
    );
    await renderCard(
      withReport({
        ...readersReport,
        trails: [
          {
            ...readersTrail,
            readers: { readers: many, partial: [], unresolved: [] },
          },
        ],
      }),
    );
    const section = await readersSection();
    const readers = within(section).getByRole('list', { name: 'Readers' });
    expect(within(readers).getAllByTestId('reader')).toHaveLength(8);
    await userEvent.click(
      within(section).getByRole('button', { name: 'Show all 12: Readers' }),
    );
    expect(within(readers).getAllByTestId('reader')).toHaveLength(12);
    expect(
      within(section).queryByTestId('readers-unresolved'),
    ).not.toBeInTheDocument();
  });

  it('says in one line why a trail has no reader analysis', async () => {
    await renderCard(withReport(compliantReport));
    const analysed = await readersSection();
    expect(
      within(analysed).getByText(
        'Not analysed in this report; the next scan lists them.',
      ),
    ).toBeInTheDocument();
    expect(
      within(analysed).queryByRole('list', { name: 'Readers' }),
    ).not.toBeInTheDocument();
    // Without named readers, the key policy's principals are all there is.
    expect(
      within(analysed).getByRole('list', { name: 'Decrypt principals' }),
    ).toBeInTheDocument();
  });

  it('links a key-policy user, like a role, to its IAM page', async () => {
    await renderCard(
      withReport({
        ...compliantReport,
        trails: [
          {
            ...compliantReport.trails[0],
            decryptPrincipals: [
              {
                principal: 'arn:aws-us-gov:iam::222222222222:user/ops/bob',
                kind: 'iam-user',
                accountId: '222222222222',
                via: 'key-policy',
                conditions: [],
              },
            ],
          },
        ],
      }),
    );
    const section = await readersSection();
    expect(
      within(section).getByRole('link', { name: /^User bob/ }),
    ).toHaveAttribute(
      'href',
      'https://console.amazonaws-us-gov.com/iam/home#/users/details/bob',
    );
  });

  it('explains that an SSE-S3 trail has no key to analyse', async () => {
    await renderCard(withReport(sseS3Report));
    const section = await readersSection('search-trail');
    expect(section).toHaveTextContent(
      'Not analysed: without a KMS key, anyone allowed to read the bucket reads the logs.',
    );
    expect(
      within(section).queryByTestId('key-policy-principals'),
    ).not.toBeInTheDocument();
  });

  it('says when nobody can read the logs', async () => {
    await renderCard(
      withReport({
        ...readersReport,
        trails: [
          {
            ...readersTrail,
            readers: { readers: [], partial: [], unresolved: [] },
          },
        ],
      }),
    );
    const section = await readersSection();
    expect(
      within(section).getByText(
        'Nobody can both decrypt and read the log files.',
      ),
    ).toBeInTheDocument();
  });
});
