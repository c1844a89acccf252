import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  cloudtrailEncryptionApiRef,
  type CloudTrailEncryptionApi,
} from '../api';
import { EntityCloudTrailEncryptionCard } from '../components/EntityCloudTrailEncryptionCard';
import { remediationTemplateRouteRef } from '../routes';
import { accountEntity } from './reports';
import { mockCloudTrailEncryptionApi, permissionApi } from './testing';

const TEMPLATE_ROUTE = '/create/templates/:namespace/:templateName';

/** Renders the card for an entity, with scans allowed. */
export async function renderCard(
  api: CloudTrailEncryptionApi,
  options: { entity?: Entity; bindTemplate?: boolean } = {},
) {
  const { entity = accountEntity, bindTemplate = true } = options;
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [cloudtrailEncryptionApiRef, api],
        [permissionApiRef, permissionApi(true)],
      ]}
    >
      <EntityProvider entity={entity}>
        <EntityCloudTrailEncryptionCard />
      </EntityProvider>
    </TestApiProvider>,
    bindTemplate
      ? { mountedRoutes: { [TEMPLATE_ROUTE]: remediationTemplateRouteRef } }
      : undefined,
  );
}

export function withReport(report: AccountReport) {
  return mockCloudTrailEncryptionApi({
    getEntityReport: jest.fn().mockResolvedValue(report),
  });
}

/** The Scaffolder form data a Remediate link carries. */
export function formDataOf(link: HTMLElement): Record<string, unknown> {
  const href = link.getAttribute('href')!;
  const url = new URL(href, 'http://localhost');
  return JSON.parse(url.searchParams.get('formData')!);
}
