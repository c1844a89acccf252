import { loadConfig } from '@backstage/config-loader';
import type { JsonObject, JsonValue } from '@backstage/types';
import { resolve as resolvePath } from 'node:path';

export const repoRoot = resolvePath(__dirname, '../../../..');
/** The backend's working directory under `yarn start`: relative paths in config start here. */
const backendDir = resolvePath(repoRoot, 'packages/backend');

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merges like Backstage's config loader: objects key by key, everything else replaced. */
export function mergeConfig(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      isObject(current) && isObject(value)
        ? mergeConfig(current, value)
        : value;
  }
  return out;
}

/**
 * What `yarn start` loads (app-config.yaml + app-config.development.yaml),
 * with relative file paths made absolute so that tests can run from any
 * directory, and no admin token file.
 */
export async function developmentConfig(): Promise<JsonObject> {
  const { appConfigs } = await loadConfig({
    configRoot: repoRoot,
    configTargets: [
      { path: resolvePath(repoRoot, 'app-config.yaml') },
      { path: resolvePath(repoRoot, 'app-config.development.yaml') },
    ],
  });
  const data = appConfigs.reduce<JsonObject>(
    (acc, c) => mergeConfig(acc, c.data),
    {},
  );
  const catalog = data.catalog as any;
  catalog.locations = catalog.locations.map((l: any) =>
    l.type === 'file' ? { ...l, target: resolvePath(backendDir, l.target) } : l,
  );
  catalog.awsAccounts.ownersFile = resolvePath(
    backendDir,
    catalog.awsAccounts.ownersFile,
  );
  delete (data.trailguardSandbox as any).adminTokenFile;
  return data;
}
