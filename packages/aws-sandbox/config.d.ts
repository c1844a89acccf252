export interface Config {
  /** Local AWS endpoint for demos and development, see packages/aws-sandbox. */
  trailguardSandbox?: {
    /**
     * Starts the sandbox inside the backend. Defaults to false. Refused when
     * NODE_ENV or trailguard.environment is production.
     */
    enabled?: boolean;
    /** Port on 127.0.0.1. Defaults to 4599. */
    port?: number;
    /** Bundled scenario name or path to a scenario YAML file. Defaults to demo. */
    scenario?: string;
    /**
     * Where to write the admin API's per-start token (mode 0600; removed on
     * shutdown), relative to the backend's working directory. Not written by default.
     */
    adminTokenFile?: string;
  };
  trailguard?: {
    /** `production` makes development-only parts refuse to start. */
    environment?: 'development' | 'production';
  };
}
