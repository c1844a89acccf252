export interface Config {
  cloudtrailEncryption?: {
    /**
     * Where docs/findings.md is published; each finding code in the UI links
     * to its entry there (`#<code in lower case>`).
     * @visibility frontend
     */
    docsUrl?: string;
  };
}
