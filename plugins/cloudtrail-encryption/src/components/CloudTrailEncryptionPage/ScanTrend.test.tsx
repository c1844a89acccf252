import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import type { ScanRun } from '@trailguard/plugin-cloudtrail-encryption-common';
import { ScanTrend, trendPoints } from './ComplianceCharts';

// Rendering the whole page in jsdom takes seconds on a loaded 2-core runner;
// this bounds a hung test, it does not time the page.
jest.setTimeout(30_000);

const counts = {
  compliant: 0,
  'non-compliant': 0,
  'no-trails': 0,
  unknown: 0,
};

function run(
  id: string,
  trigger: ScanRun['trigger'],
  finishedAt: string | undefined,
  fleet: { compliant: number; accounts: number },
  extra: Partial<ScanRun> = {},
): ScanRun {
  return {
    id,
    trigger,
    scope: trigger === 'schedule' ? 'full' : 'account',
    startedAt: finishedAt ?? '2026-12-04T05:00:00Z',
    finishedAt,
    accountCount: trigger === 'schedule' ? fleet.accounts : 1,
    errorCount: 0,
    countsByStatus: counts,
    fleet,
    ...extra,
  };
}

// Newest first, as GET /scans answers.
const history: ScanRun[] = [
  run('running', 'schedule', undefined, { compliant: 9, accounts: 10 }),
  run(
    'fixed',
    'remediation',
    '2026-12-03T10:15:00Z',
    { compliant: 8, accounts: 10 },
    { requestedBy: 'user:default/alice' },
  ),
  run(
    'api',
    'manual',
    '2026-12-02T09:00:00Z',
    { compliant: 7, accounts: 10 },
    { scope: 'full', requestedBy: 'user:default/bob', accountCount: 10 },
  ),
  run(
    'hidden',
    'manual',
    '2026-12-01T12:00:00Z',
    { compliant: 5, accounts: 10 },
    {
      accountCount: 0,
    },
  ),
  run('first', 'schedule', '2026-12-01T06:00:00Z', {
    compliant: 5,
    accounts: 10,
  }),
];

describe('ScanTrend', () => {
  it('keeps finished runs that covered visible accounts, oldest first', () => {
    expect(
      trendPoints(history).map(p => [p.run.id, p.compliant, p.accounts]),
    ).toEqual([
      ['first', 5, 10],
      ['api', 7, 10],
      ['fixed', 8, 10],
    ]);
  });

  it('charts the compliant share with dated and percent axes and the trigger of each run', async () => {
    await renderInTestApp(<ScanTrend runs={history} />);
    const chart = screen.getByRole('img', {
      name: 'Compliant share of accounts over the last 3 scans',
    });
    const yLabels = within(screen.getByTestId('trend-y-axis'))
      .getAllByText(/%$/)
      .map(t => t.textContent);
    expect(yLabels).toEqual(['0%', '25%', '50%', '75%', '100%']);
    const xLabels = screen
      .getAllByTestId('trend-x-tick')
      .map(t => t.textContent);
    // Midnights (UTC) inside the axis, which starts after Dec 1 00:00.
    expect(xLabels).toEqual(['Dec 2', 'Dec 3']);

    const markers = Array.from(
      chart.querySelectorAll('[data-testid^="scan-run-"]'),
    );
    expect(markers.map(m => m.getAttribute('data-trigger'))).toEqual([
      'schedule',
      'manual',
      'remediation',
    ]);
    // Scheduled runs are dots; on-demand runs are outlined shapes.
    expect(markers[0].querySelector('circle')).not.toBeNull();
    expect(markers[1].querySelector('polygon')).not.toBeNull();
    expect(markers[1].querySelector('title')).toHaveTextContent(
      '2026-12-02 09:00:00 UTC — On demand (manual or API), full scan by user:default/bob: 70% compliant (7 of 10 accounts); this run scanned 10',
    );
    expect(markers[2].querySelector('title')).toHaveTextContent(
      'On demand (remediation), one account by user:default/alice: 80% compliant',
    );
    const legend = screen.getByTestId('trend-legend');
    expect(legend).toHaveTextContent('Scheduled');
    expect(legend).toHaveTextContent('On demand (manual or API)');
    expect(legend).toHaveTextContent('On demand (remediation)');
    expect(
      screen.getByText(
        /Latest: 80% compliant \(8 of 10 accounts you can see\)/,
      ),
    ).toBeInTheDocument();
  });

  it('shows times on the axis when the runs are close together', async () => {
    await renderInTestApp(
      <ScanTrend
        runs={[
          run('b', 'manual', '2026-12-04T07:30:00Z', {
            compliant: 2,
            accounts: 4,
          }),
          run('a', 'schedule', '2026-12-04T05:00:00Z', {
            compliant: 1,
            accounts: 4,
          }),
        ]}
      />,
    );
    const labels = screen
      .getAllByTestId('trend-x-tick')
      .map(t => t.textContent);
    expect(labels).toEqual([
      'Dec 405:00 UTC',
      'Dec 405:30 UTC',
      'Dec 406:00 UTC',
      'Dec 406:30 UTC',
      'Dec 407:00 UTC',
      'Dec 407:30 UTC',
    ]);
  });

  it('draws a single run as one dated point, and says when there is none', async () => {
    const { unmount } = await renderInTestApp(
      <ScanTrend
        runs={[
          run('only', 'schedule', '2026-12-04T05:00:00Z', {
            compliant: 3,
            accounts: 4,
          }),
        ]}
      />,
    );
    const chart = screen.getByRole('img', {
      name: 'Compliant share of accounts over the last 1 scan',
    });
    expect(chart.querySelector('polyline')).toBeNull();
    // Half a day either side of the one point, in round hours.
    expect(
      screen.getAllByTestId('trend-x-tick').map(t => t.textContent),
    ).toEqual([
      'Dec 320:00 UTC',
      'Dec 400:00 UTC',
      'Dec 404:00 UTC',
      'Dec 408:00 UTC',
      'Dec 412:00 UTC',
      'Dec 416:00 UTC',
    ]);
    expect(
      screen.getByText(/The line appears after the next scan/),
    ).toBeInTheDocument();
    unmount();

    await renderInTestApp(<ScanTrend runs={[history[0]]} />);
    expect(
      screen.getByText(
        'No scan history yet: the trend appears once a scan has finished.',
      ),
    ).toBeInTheDocument();
  });
});
