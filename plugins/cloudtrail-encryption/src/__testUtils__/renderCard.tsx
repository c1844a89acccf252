import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
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
  options: {
    entity?: Entity;
    bindTemplate?: boolean;
    signals?: SignalApi;
  } = {},
) {
  const { entity = accountEntity, bindTemplate = true, signals } = options;
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [cloudtrailEncryptionApiRef, api],
        [permissionApiRef, permissionApi(true)],
        ...(signals ? [[signalApiRef, signals] as const] : []),
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

/** A signals API the test publishes on, as the signals backend would. */
export function testSignals() {
  const listeners = new Map<string, Set<(message: any) => void>>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      const set = listeners.get(channel) ?? new Set();
      set.add(onMessage as (message: any) => void);
      listeners.set(channel, set);
      return { unsubscribe: () => set.delete(onMessage as any) };
    },
  };
  return {
    api,
    publish(channel: string, message: Record<string, unknown>) {
      for (const listener of listeners.get(channel) ?? []) listener(message);
    },
  };
}
