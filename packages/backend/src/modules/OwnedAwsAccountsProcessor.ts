import {
  CatalogProcessor,
  CatalogProcessorCache,
  CatalogProcessorEmit,
  CatalogProcessorParser,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import type { AccountOwnership } from './AccountOwnership';

/** What this needs of AwsOrganizationCloudAccountProcessor. */
export interface AccountReader {
  getProcessorName(): string;
  readLocation(
    location: LocationSpec,
    optional: boolean,
    emit: (result: any) => void,
  ): Promise<boolean>;
}

/**
 * Reads `aws-cloud-accounts` locations through the upstream
 * AwsOrganizationCloudAccountProcessor and gives each account entity its
 * owner before it is emitted: a processor cannot rename an entity later.
 */
export class OwnedAwsAccountsProcessor implements CatalogProcessor {
  constructor(
    private readonly accounts: AccountReader,
    private readonly ownership: AccountOwnership,
  ) {}

  /**
   * The upstream name: the catalog checks that a processor of that name is
   * installed for `aws-cloud-accounts` locations, and this is the one.
   */
  getProcessorName() {
    return this.accounts.getProcessorName();
  }

  async readLocation(
    location: LocationSpec,
    optional: boolean,
    emit: CatalogProcessorEmit,
    _parser: CatalogProcessorParser,
    _cache: CatalogProcessorCache,
  ): Promise<boolean> {
    return this.accounts.readLocation(location, optional, result => {
      if (result?.type === 'entity') {
        emit(
          processingResult.entity(
            result.location,
            this.ownership.apply(result.entity),
          ),
        );
      } else {
        emit(result);
      }
    });
  }
}
