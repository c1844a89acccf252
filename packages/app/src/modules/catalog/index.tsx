import {
  coreExtensionData,
  createExtensionInput,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import { CatalogTable } from '@backstage/plugin-catalog';
import catalogPlugin, {
  CatalogIndexPage,
  type CatalogTableColumnsFunc,
} from '@backstage/plugin-catalog/alpha';
import { EntityTypePicker } from '@backstage/plugin-catalog-react';
import { CatalogTableColumnBlueprint } from '@trailguard/plugin-cloudtrail-encryption/alpha';
import { z } from 'zod';

/** Extra columns (from `catalog-table-column` extensions) show for this kind. */
const COLUMNS_KIND = 'resource';

/**
 * The catalog index page, as the catalog plugin makes it, plus a `columns`
 * input: columns contributed by plugins (here CloudTrail encryption) are
 * appended to the default columns when the table lists Resources.
 */
export const catalogPageWithColumns = catalogPlugin
  .getExtension('page:catalog')
  .override({
    inputs: {
      columns: createExtensionInput([
        CatalogTableColumnBlueprint.dataRefs.column,
      ]),
    },
    factory(originalFactory, { inputs, config }) {
      const extraColumns = inputs.columns.map(column =>
        column.get(CatalogTableColumnBlueprint.dataRefs.column),
      );
      const filters = inputs.filters.map(filter =>
        filter.get(coreExtensionData.reactElement),
      );
      const columns: CatalogTableColumnsFunc = context => {
        const defaults = CatalogTable.defaultColumnsFunc(context);
        const kind = context.filters.kind?.value?.toLocaleLowerCase('en-US');
        if (kind !== COLUMNS_KIND) return defaults;
        // After the default columns: the table keeps column order by position
        // across renders, so columns put between the defaults would not stay
        // there. It also writes its state into the column objects it gets, so
        // each call hands it fresh copies, as it gets of the default columns.
        const extra = extraColumns.map(column => {
          const { tableData: _state, ...copy } = column as typeof column & {
            tableData?: unknown;
          };
          return copy;
        });
        return [...defaults, ...(extra as typeof defaults)];
      };
      return originalFactory({
        params: {
          loader: async () => (
            <CatalogIndexPage
              filters={<>{filters}</>}
              columns={columns}
              pagination={config.pagination}
              exportSettings={
                config.exportSettings?.enabled
                  ? config.exportSettings
                  : undefined
              }
            />
          ),
        },
      });
    },
  });

/**
 * The type filter with a configurable initial type (`initialFilter`), so the
 * demo can open on cloud accounts. A type in the URL wins.
 */
export const catalogTypeFilter = catalogPlugin
  .getExtension('catalog-filter:catalog/type')
  .override({
    configSchema: { initialFilter: z.string().optional() },
    factory(originalFactory, { config }) {
      return originalFactory({
        params: {
          loader: async () => (
            <TypePicker initialFilter={config.initialFilter} />
          ),
        },
      });
    },
  });

function TypePicker(props: { initialFilter?: string }) {
  const typeInUrl = new URLSearchParams(window.location.search).has(
    'filters[type]',
  );
  return (
    <EntityTypePicker
      initialFilter={typeInUrl ? undefined : props.initialFilter}
    />
  );
}

export const catalogModule = createFrontendModule({
  pluginId: 'catalog',
  extensions: [catalogPageWithColumns, catalogTypeFilter],
});
