export interface Config {
  cloudtrailEncryption?: {
    /**
     * Which accounts are scanned and trusted. The catalog never adds accounts:
     * it gives owners and display names only.
     */
    estate?: {
      /**
       * `organization` (default): DescribeOrganization and ListAccounts (with
       * OU paths) using the backend's main AWS identity, or the scan role in
       * `managementAccountId` when set (management or delegated administrator
       * account), plus the configured accounts below.
       * `accounts`: aws.accounts and `include` only, for estates without
       * access to AWS Organizations.
       */
      source?: 'organization' | 'accounts';
      /** Read the organization through the scan role in this account. */
      managementAccountId?: string;
      /** Accounts outside the organization to scan as well (source `configured`). */
      include?: string[];
      /** Accounts never scanned. */
      exclude?: string[];
      /** Whether aws.accounts[].accountId join the estate as configured accounts. Default true. */
      fromAwsConfig?: boolean;
    };
    /**
     * Deprecated: use `estate.include`, `estate.exclude` and
     * `estate.fromAwsConfig`, which win when both are set.
     * @deprecated use estate.include, estate.exclude and estate.fromAwsConfig
     */
    accounts?: {
      /** @deprecated use estate.fromAwsConfig */
      fromAwsConfig?: boolean;
      /** @deprecated use estate.include */
      include?: string[];
      /** @deprecated use estate.exclude */
      exclude?: string[];
    };
    /**
     * Outside accounts trusted to decrypt log files (not scanned). Every
     * account of the estate is trusted already.
     */
    trustedAccountIds?: string[];
  };
}
