import { createExtensionTester } from '@backstage/frontend-test-utils';
import plugin from './plugin';
import {
  CatalogTableColumnBlueprint,
  catalogTableColumnDataRef,
  cloudtrailEncryptionCatalogColumn,
} from './catalogColumn';

describe('catalog table column extension', () => {
  it('attaches the status column to the catalog page', () => {
    const tester = createExtensionTester(cloudtrailEncryptionCatalogColumn);
    const column = tester.get(catalogTableColumnDataRef);
    expect(column.title).toBe('CloudTrail encryption');
    expect(column.sorting).toBe(false);
    expect(typeof column.render).toBe('function');
    expect(CatalogTableColumnBlueprint.dataRefs.column.id).toBe(
      'catalog.table-column',
    );
    expect(
      plugin.getExtension('catalog-table-column:cloudtrail-encryption/status'),
    ).toBeDefined();
  });
});
