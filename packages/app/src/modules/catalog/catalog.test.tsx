import type { Entity } from '@backstage/catalog-model';
import { renderTestApp } from '@backstage/frontend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen, waitFor, within } from '@testing-library/react';
import cloudTrailEncryptionPlugin from '@trailguard/plugin-cloudtrail-encryption/alpha';
import { cloudtrailEncryptionApiRef } from '@trailguard/plugin-cloudtrail-encryption';
import { catalogModule } from './index';

function account(name: string, accountId: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'amazonaws.com/account-id': accountId },
    },
    spec: { type: 'cloud-account', owner: 'group:default/team' },
  };
}

const entities: Entity[] = [
  account('aws-payments-prod', '100000000001'),
  account('aws-marketing', '100000000002'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default' },
    spec: { type: 'service', owner: 'group:default/team', lifecycle: 'prod' },
  },
];

function summary(accountId: string, status: string) {
  return {
    accountId,
    scannedAt: '2026-12-01T00:00:00Z',
    lastSuccessAt: '2026-12-01T00:00:00Z',
    scanStatus: 'ok',
    status,
    trailCount: 1,
    findingCodes: [],
  };
}

jest.setTimeout(60_000);

describe('catalog module', () => {
  it('adds the CloudTrail encryption column to the Resources table', async () => {
    const lookupAccounts = jest.fn(async (ids: string[]) =>
      [
        summary('100000000001', 'compliant'),
        summary('100000000002', 'non-compliant'),
      ].filter(s => ids.includes(s.accountId)),
    );
    renderTestApp({
      features: [catalogPlugin, catalogModule, cloudTrailEncryptionPlugin],
      apis: [
        [catalogApiRef, catalogApiMock({ entities })],
        [cloudtrailEncryptionApiRef, { lookupAccounts } as any],
      ],
      initialRouteEntries: [
        '/catalog?filters[kind]=resource&filters[user]=all',
      ],
    });
    const cell = await screen.findByTestId(
      'cloudtrail-encryption-column-100000000001',
      {},
      { timeout: 15_000 },
    );
    expect(cell).toHaveTextContent('Compliant');
    expect(
      await screen.findByTestId('cloudtrail-encryption-column-100000000002'),
    ).toHaveTextContent('Non-compliant');
    const headers = screen
      .getAllByRole('columnheader')
      .map(h => h.textContent?.trim());
    // After the default columns, before the row actions.
    expect(headers.slice(-2)).toEqual(['CloudTrail encryption', 'Actions']);
    expect(headers).toContain('Name');
    expect(lookupAccounts).toHaveBeenCalledTimes(1);
    // The table may render its rows again once the entities' presentation
    // resolves, so the row is looked up as it is now, not through the cell
    // found first (which can be detached by then).
    await waitFor(() =>
      expect(
        within(
          screen
            .getByTestId('cloudtrail-encryption-column-100000000001')
            .closest('tr')!,
        ).getByText('aws-payments-prod'),
      ).toBeInTheDocument(),
    );
  });
});
