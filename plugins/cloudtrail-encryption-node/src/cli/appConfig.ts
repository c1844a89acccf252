import { ConfigReader } from '@backstage/config';
import { loadConfig } from '@backstage/config-loader';
import { resolve } from 'node:path';

/** Bad input: exit code 2 with the message on stderr. */
export class UsageError extends Error {}

/** Where the user ran the command (`yarn trailguard` runs it from the package). */
export function userDir(): string {
  return process.env.INIT_CWD ?? process.cwd();
}

/** Loads app-config files as Backstage does, relative to where the user ran the command. */
export async function readAppConfig(files: string[]): Promise<ConfigReader> {
  try {
    const { appConfigs } = await loadConfig({
      configRoot: userDir(),
      configTargets: files.map(path => ({ path: resolve(userDir(), path) })),
    });
    return ConfigReader.fromConfigs(appConfigs);
  } catch (error) {
    throw new UsageError(
      `Cannot load --config ${files.join(' ')}: ${(error as Error).message}`,
    );
  }
}
