import { CallCounters, FaultConfig, FaultController } from '../faults';
import { loadScenario, ScenarioSource } from '../scenario/load';
import type { Scenario } from '../scenario/types';
import { createMutations, SandboxMutations } from '../state/mutations';
import { SandboxState } from '../state/state';
import { SessionStore } from './identity';
import type { Handler } from './context';
import type { ServiceName } from './protocol';
import { stsHandlers } from '../services/sts';
import { iamHandlers } from '../services/iam';
import { organizationsHandlers } from '../services/organizations';
import { organizationPolicyHandlers } from '../services/organizationPolicies';
import { cloudtrailHandlers } from '../services/cloudtrail';
import { kmsHandlers } from '../services/kms';
import { s3Handlers } from '../services/s3';

export const HANDLERS: Record<ServiceName, Record<string, Handler>> = {
  sts: stsHandlers,
  iam: iamHandlers,
  organizations: { ...organizationsHandlers, ...organizationPolicyHandlers },
  cloudtrail: cloudtrailHandlers,
  kms: kmsHandlers,
  s3: s3Handlers,
};

/** The static credentials a scenario without any gets, for its management account. */
export const DEFAULT_CREDENTIALS = {
  accessKeyId: 'AKIASANDBOXMAIN00001',
  secretAccessKey: 'sandbox-secret',
};

function stateFor(scenario: Scenario): SandboxState {
  const st = SandboxState.fromScenario(scenario);
  if (st.credentials.size === 0) {
    const accountId =
      st.organization?.managementAccount ?? [...st.accounts.keys()][0];
    st.credentials.set(DEFAULT_CREDENTIALS.accessKeyId, {
      ...DEFAULT_CREDENTIALS,
      accountId,
    });
  }
  return st;
}

/** Everything the HTTP layer serves from: state, sessions, faults and counters. */
export class SandboxCore {
  state: SandboxState;
  scenario: Scenario;
  readonly sessions = new SessionStore();
  readonly faults: FaultController;
  readonly counters = new CallCounters();
  readonly mutate: SandboxMutations;

  constructor(source: ScenarioSource = 'demo', faults?: FaultConfig) {
    this.scenario = loadScenario(source);
    this.state = stateFor(this.scenario);
    this.faults = new FaultController(faults);
    this.mutate = createMutations(() => this.state);
  }

  /** Replaces the estate; sessions issued for the old one stop working. */
  loadScenario(source: ScenarioSource): Scenario {
    const scenario = loadScenario(source);
    this.scenario = scenario;
    this.state = stateFor(scenario);
    this.sessions.clear();
    return scenario;
  }
}
