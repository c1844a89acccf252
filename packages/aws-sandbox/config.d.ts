export interface Config {
  /** Local AWS endpoint for demos and development, see packages/aws-sandbox. */
  trailguardSandbox?: {
    /** Starts the sandbox inside the backend. Defaults to false. */
    enabled?: boolean;
    /** Port on 127.0.0.1. Defaults to 4599. */
    port?: number;
    /** Bundled scenario name or path to a scenario YAML file. Defaults to demo. */
    scenario?: string;
  };
}
