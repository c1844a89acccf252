import fs from 'node:fs';
import path from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { parse } from 'yaml';
import type { Scenario } from './types';
import { ScenarioValidationError, validateScenario } from './validate';

/** A bundled scenario name, a path to a YAML/JSON file, or a scenario object. */
export type ScenarioSource = string | Scenario;

function scenariosDir(): string {
  return resolvePackagePath('@trailguard/aws-sandbox', 'scenarios');
}

/** Names of the scenarios shipped in the package's scenarios/ folder. */
export function listBundledScenarios(): string[] {
  return fs
    .readdirSync(scenariosDir())
    .filter(f => /\.ya?ml$/.test(f))
    .map(f => f.replace(/\.ya?ml$/, ''))
    .sort();
}

/** Parses scenario text (YAML, which includes JSON) and validates it. */
export function parseScenario(text: string, source = 'inline'): Scenario {
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: true });
  } catch (e) {
    throw new ScenarioValidationError(source, [
      `YAML syntax error: ${(e as Error).message}`,
    ]);
  }
  const scenario = validateScenario(doc, source);
  if (!scenario.name) {
    scenario.name = path.basename(source).replace(/\.(ya?ml|json)$/, '');
  }
  return scenario;
}

/** Loads a scenario by bundled name, file path or object. */
export function loadScenario(source: ScenarioSource = 'demo'): Scenario {
  if (typeof source !== 'string') {
    return validateScenario(structuredClone(source), source.name ?? 'object');
  }
  const isPath =
    source.includes('/') ||
    source.includes('\\') ||
    /\.(ya?ml|json)$/.test(source);
  const file = isPath
    ? path.resolve(source)
    : path.join(scenariosDir(), `${source}.yaml`);
  if (!fs.existsSync(file)) {
    const hint = isPath
      ? ''
      : ` (bundled: ${listBundledScenarios().join(', ')})`;
    throw new Error(`Scenario not found: ${source}${hint}`);
  }
  return parseScenario(fs.readFileSync(file, 'utf8'), file);
}
