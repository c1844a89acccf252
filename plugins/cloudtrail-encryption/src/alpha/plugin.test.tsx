import type { Entity } from '@backstage/catalog-model';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  coreExtensionData,
  createFrontendPlugin,
  createRouteRef,
  createSubRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen, within } from '@testing-library/react';
import { organizationEstate } from '../__testUtils__/estate';
import {
  accountEntity,
  accountList,
  regionMismatchReport,
  scanRuns,
} from '../__testUtils__/reports';
import {
  mockCloudTrailEncryptionApi,
  permissionApi,
} from '../__testUtils__/testing';
import { cloudtrailEncryptionApiRef } from '../api';
import { EntityCloudTrailEncryptionCard } from '../components/EntityCloudTrailEncryptionCard';
import { remediationTemplateRouteRef } from '../routes';
import plugin, {
  cloudtrailEncryptionApi,
  cloudtrailEncryptionEntityCard,
  cloudtrailEncryptionPage,
} from './index';

const TEMPLATE_ROUTE = '/create/templates/:namespace/:templateName';

function entityWith(kind: string, annotations: Record<string, string>): Entity {
  return {
    ...accountEntity,
    kind,
    metadata: { name: 'x', annotations },
  };
}

function apis() {
  const api = mockCloudTrailEncryptionApi({
    getEntityReport: jest.fn().mockResolvedValue(regionMismatchReport),
    listAccounts: jest.fn().mockResolvedValue(accountList),
    listScanRuns: jest.fn().mockResolvedValue(scanRuns),
    getEstate: jest.fn().mockResolvedValue(organizationEstate),
  });
  return [
    [cloudtrailEncryptionApiRef, api],
    [permissionApiRef, permissionApi(true)],
  ] as const;
}

describe('cloudtrail-encryption plugin (new frontend system)', () => {
  it('declares its id, routes and the remediation template route', () => {
    expect(plugin.pluginId).toBe('cloudtrail-encryption');
    expect(plugin.routes.root).toBeDefined();
    expect(plugin.externalRoutes.remediationTemplate).toBeDefined();
    // Extension ids the app's nav and entity page refer to.
    for (const id of [
      'page:cloudtrail-encryption',
      'entity-card:cloudtrail-encryption',
      'api:cloudtrail-encryption',
    ] as const) {
      expect(plugin.getExtension(id)).toBeDefined();
    }
  });

  it('provides the API client', () => {
    const tester = createExtensionTester(cloudtrailEncryptionApi);
    expect(tester.get(ApiBlueprint.dataRefs.factory).api.id).toBe(
      'plugin.cloudtrail-encryption.service',
    );
  });

  it('shows the card on annotated Resource entities only', () => {
    const filter = createExtensionTester(cloudtrailEncryptionEntityCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    )!;
    const annotation = { 'amazonaws.com/account-id': '100000000001' };
    expect(filter(entityWith('Resource', annotation))).toBe(true);
    expect(
      filter(
        entityWith('resource', { 'amazon.com/account-id': '100000000001' }),
      ),
    ).toBe(true);
    expect(filter(entityWith('Component', annotation))).toBe(false);
    expect(filter(entityWith('Resource', {}))).toBe(false);
  });

  it('renders the card, linking Remediate to the configured template', async () => {
    const tester = createExtensionTester(cloudtrailEncryptionEntityCard, {
      config: { templateNamespace: 'security', templateName: 'kms-fix' },
    });
    await renderInTestApp(
      <EntityProvider entity={accountEntity}>
        {tester.reactElement()}
      </EntityProvider>,
      {
        apis: apis(),
        mountedRoutes: {
          [TEMPLATE_ROUTE]: convertLegacyRouteRef(remediationTemplateRouteRef),
        },
      },
    );
    const trail = await screen.findByTestId('trail-payments-trail');
    expect(within(trail).getByText('Region mismatch')).toBeInTheDocument();
    expect(
      within(trail)
        .getByRole('button', { name: 'Remediate' })
        .getAttribute('href'),
    ).toMatch(/^\/create\/templates\/security\/kms-fix\?formData=/);
  });

  it('mounts the fleet page with a nav title and icon', async () => {
    const tester = createExtensionTester(cloudtrailEncryptionPage);
    expect(tester.get(coreExtensionData.routePath)).toBe(
      '/cloudtrail-encryption',
    );
    expect(tester.get(coreExtensionData.title)).toBe('CloudTrail encryption');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
    expect(tester.get(coreExtensionData.routeRef)).toBeDefined();

    await renderInTestApp(tester.reactElement(), { apis: apis() });
    // The page is loaded lazily, and this is the first test to load its chunk.
    expect(
      await screen.findByText('payments-prod', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(
      await screen.findByTestId('cloudtrail-encryption-estate'),
    ).toHaveTextContent('AWS Organization o-tgdemo12345');
  });

  it('installs into an app, with the page in the nav', async () => {
    await renderTestApp({
      features: [plugin],
      apis: apis(),
      initialRouteEntries: ['/cloudtrail-encryption'],
    });
    expect(await screen.findByText('payments-prod')).toBeInTheDocument();
    expect(
      screen
        .getAllByRole('link', { name: /CloudTrail encryption/ })
        .some(link => link.getAttribute('href') === '/cloudtrail-encryption'),
    ).toBe(true);
  });

  it('binds Remediate to the Scaffolder template page by default', async () => {
    // Stands in for the Scaffolder plugin: same plugin id and route names.
    const root = createRouteRef();
    const selectedTemplate = createSubRouteRef({
      path: '/templates/:namespace/:templateName',
      parent: root,
    });
    const scaffolder = createFrontendPlugin({
      pluginId: 'scaffolder',
      routes: { root, selectedTemplate },
      extensions: [
        PageBlueprint.make({
          params: {
            path: '/create',
            routeRef: root,
            loader: async () => <div />,
          },
        }),
      ],
    });
    // Default targets are resolved by the app's route bindings, so the card
    // is rendered on a page of a whole app rather than on its own.
    const entityPage = createFrontendPlugin({
      pluginId: 'test',
      extensions: [
        PageBlueprint.make({
          params: {
            path: '/account',
            loader: async () => (
              <EntityProvider entity={accountEntity}>
                <EntityCloudTrailEncryptionCard />
              </EntityProvider>
            ),
          },
        }),
      ],
    });
    renderTestApp({
      features: [plugin, scaffolder, entityPage],
      apis: apis(),
      initialRouteEntries: ['/account'],
    });
    const trail = await screen.findByTestId('trail-payments-trail');
    expect(
      within(trail)
        .getByRole('button', { name: 'Remediate' })
        .getAttribute('href'),
    ).toMatch(/^\/create\/templates\/default\/cloudtrail-sse-kms\?formData=/);
  });
});
