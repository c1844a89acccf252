import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../index';

/**
 * Runs `trailguard <args>` in this process: what it wrote to stdout and
 * stderr, and the exit code it set.
 */
export async function runCli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const out = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: any) => {
      stdout += String(s);
      return true;
    });
  const err = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: any) => {
      stderr += String(s);
      return true;
    });
  process.exitCode = undefined;
  try {
    await main(['node', 'trailguard', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { stdout, stderr, code };
}

/**
 * A new temporary directory, and `file` to write a file into it (a string as
 * it is, anything else as JSON) and get its path.
 */
export function tempFiles(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(
      path,
      typeof content === 'string' ? content : JSON.stringify(content),
    );
    return path;
  };
  return { dir, file };
}
