export interface Config {
  cloudtrailEncryption?: {
    /**
     * Credentials for the scaffolder remediation actions. Writes are made
     * only with this role, never with the read-only scan role. Without
     * `roleName`, every remediation action fails and changes nothing.
     */
    remediation?: {
      /**
       * Name of the IAM role assumed in the target account
       * (arn:aws:iam::<account>:role/<roleName>) from the main account
       * credentials of the AWS integration (aws.mainAccount). Must differ
       * from the scan role (aws.accountDefaults.roleName).
       */
      roleName?: string;
      /**
       * External id required by the role's trust policy, if any.
       * @visibility secret
       */
      externalId?: string;
    };
  };
}
