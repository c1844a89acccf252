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
      /**
       * Let remediation grant decrypt to principals outside the estate and
       * its trusted accounts (cloudtrailEncryption.trustedAccountIds).
       * Default false: such readers are refused before any AWS write.
       */
      allowOutsideReaders?: boolean;
      /**
       * Tag key that marks a customer managed key as editable by remediation
       * although no trail of the account uses it yet. Keys a trail uses are
       * always editable; AWS managed keys never are.
       * Default `trailguard:cloudtrail-logs`.
       */
      editableKeyTag?: string;
    };
  };
}
