import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accountEntity, compliantReport } from '../../__testUtils__/reports';
import {
  mockCloudTrailEncryptionApi,
  permissionApi,
} from '../../__testUtils__/testing';
import { cloudtrailEncryptionApiRef } from '../../api';
import { EntityCloudTrailEncryptionCard } from './EntityCloudTrailEncryptionCard';

// Kept apart from the other card tests: permission answers are cached per
// module, and this file needs a denying one from the start.
describe('EntityCloudTrailEncryptionCard without the scan permission', () => {
  it('disables Rescan', async () => {
    const authorize = jest.fn(permissionApi(false).authorize);
    const api = mockCloudTrailEncryptionApi({
      getEntityReport: jest.fn().mockResolvedValue(compliantReport),
    });
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [cloudtrailEncryptionApiRef, api],
          [permissionApiRef, { authorize }],
        ]}
      >
        <EntityProvider entity={accountEntity}>
          <EntityCloudTrailEncryptionCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    await screen.findByTestId('trail-org-trail');
    await waitFor(() => expect(authorize).toHaveBeenCalled());
    // Asked about this account: decisions may be conditional on it.
    expect(authorize.mock.calls[0][0]).toEqual({
      permission: expect.objectContaining({
        name: 'cloudtrail-encryption.scan.trigger',
        type: 'resource',
        resourceType: 'cloudtrail-encryption-account',
      }),
      resourceRef: '100000000001',
    });
    const button = screen.getByRole('button', { name: 'Rescan' });
    expect(button).toBeDisabled();
    await userEvent.hover(button.parentElement!);
    expect(
      await screen.findByText(
        'You are not allowed to trigger CloudTrail encryption scans',
      ),
    ).toBeInTheDocument();
    expect(api.rescanAccount).not.toHaveBeenCalled();
  });
});
