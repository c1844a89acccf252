import type { Entity } from '@backstage/catalog-model';
import type { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { makeStyles } from '@material-ui/core/styles';
import { getAwsAccountIdFromAnnotations } from '@trailguard/plugin-cloudtrail-encryption-common';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { cloudtrailEncryptionApiRef } from '../../api';
import { OverallStatusChip, statusDisplayOf } from '../shared/status';
import { accountStatusLoaderFor } from './accountStatusLoader';

const COLUMN_TITLE = 'CloudTrail encryption';

/**
 * The account id of a catalog entity that stands for an AWS account: a
 * Resource with a valid account-id annotation (as for the entity card).
 */
export function accountIdOfEntity(entity: Entity): string | undefined {
  if (entity.kind.toLocaleLowerCase('en-US') !== 'resource') return undefined;
  return getAwsAccountIdFromAnnotations(entity.metadata.annotations);
}

const useStyles = makeStyles(theme => ({
  cell: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
  },
}));

/**
 * The account's encryption verdict (and scan problem, if any) for one catalog
 * row. Renders nothing for entities that are not AWS accounts, for accounts
 * the user may not see or that were never scanned, and while loading.
 *
 * @public
 */
export function CloudTrailEncryptionStatusCell(props: { entity: Entity }) {
  const classes = useStyles();
  const api = useApi(cloudtrailEncryptionApiRef);
  const loader = useMemo(() => accountStatusLoaderFor(api), [api]);
  const accountId = accountIdOfEntity(props.entity);
  const { value: summary } = useAsync(
    async () => (accountId ? loader.load(accountId) : undefined),
    [loader, accountId],
  );
  if (!accountId || !summary) return null;
  const display = statusDisplayOf(summary);
  return (
    <div
      className={classes.cell}
      data-testid={`cloudtrail-encryption-column-${accountId}`}
    >
      <OverallStatusChip state={display.verdict} />
      {display.scan && <OverallStatusChip state={display.scan} />}
    </div>
  );
}

/**
 * A catalog table column with the CloudTrail encryption status of AWS
 * account entities, for `CatalogIndexPage`'s `columns` (for example after
 * `CatalogTable.defaultColumnsFunc`). The visible rows' statuses are fetched
 * in one request. In a legacy app, type it for the catalog's rows:
 * `createCloudTrailEncryptionStatusColumn<CatalogTableRow>()`.
 *
 * @public
 */
export function createCloudTrailEncryptionStatusColumn<
  T extends { entity: Entity } = { entity: Entity },
>(options: { title?: string } = {}): TableColumn<T> {
  return {
    title: options.title ?? COLUMN_TITLE,
    sorting: false,
    width: 'auto',
    render: row => <CloudTrailEncryptionStatusCell entity={row.entity} />,
  };
}
