import type { Entity } from '@backstage/catalog-model';
import type { TableColumn } from '@backstage/core-components';
import {
  createExtensionBlueprint,
  createExtensionDataRef,
} from '@backstage/frontend-plugin-api';
import { createCloudTrailEncryptionStatusColumn } from '../components/catalog';

/**
 * A row of the catalog table, as far as a column needs to know.
 *
 * @alpha
 */
export interface CatalogTableColumnRow {
  entity: Entity;
}

/**
 * A column of the catalog index table. The catalog page of Backstage 1.55
 * takes no columns from extensions, so an app collects them by overriding
 * `page:catalog` with a `columns` input of this data (see docs/install.md,
 * "Catalog table column").
 *
 * @alpha
 */
export const catalogTableColumnDataRef = createExtensionDataRef<
  TableColumn<CatalogTableColumnRow>
>().with({ id: 'catalog.table-column' });

/**
 * Creates catalog table column extensions, attached to the `columns` input of
 * `page:catalog`. Without an app override that declares that input the
 * attachment is ignored, so installing a column never breaks a catalog.
 *
 * @alpha
 */
export const CatalogTableColumnBlueprint = createExtensionBlueprint({
  kind: 'catalog-table-column',
  attachTo: { id: 'page:catalog', input: 'columns' },
  output: [catalogTableColumnDataRef],
  dataRefs: { column: catalogTableColumnDataRef },
  *factory(params: { column: TableColumn<CatalogTableColumnRow> }) {
    yield catalogTableColumnDataRef(params.column);
  },
});

/**
 * The catalog table's CloudTrail encryption status column: a status chip for
 * AWS account Resources, nothing for other rows.
 *
 * @alpha
 */
export const cloudtrailEncryptionCatalogColumn =
  CatalogTableColumnBlueprint.make({
    name: 'status',
    params: { column: createCloudTrailEncryptionStatusColumn() },
  });
