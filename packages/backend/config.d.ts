export interface Config {
  catalog?: {
    /**
     * AWS-account entities read from AWS Organizations (catalog locations of
     * type `aws-cloud-accounts`).
     */
    awsAccounts?: {
      /** Prepended to each account entity's name (the normalized account name). */
      namePrefix?: string;
      /**
       * YAML file of owners keyed by account id (`defaults` and `accounts`,
       * each with owner, system, description, tags), relative to the
       * backend's working directory.
       */
      ownersFile?: string;
    };
  };
}
