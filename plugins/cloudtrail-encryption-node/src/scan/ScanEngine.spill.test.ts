import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import {
  generateOrganization,
  startSandbox,
  type Sandbox,
} from '@trailguard/aws-sandbox';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from './config';

jest.setTimeout(120_000);

/**
 * What waits for the readers analysis is kept in a spill file; where no file
 * can be written it is kept in memory, with the same reports, and nothing
 * is left in the spill directory either way.
 */
describe('ScanEngine spill', () => {
  let sandbox: Sandbox;
  let directory: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      // One account in 25 has a key open to anyone: analysed against every
      // account, a batch at a time, with its batch results spilled.
      scenario: generateOrganization({ accounts: 80, seed: 5 }),
    });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    directory = mkdtempSync(join(tmpdir(), 'scan-spill-test-'));
  });

  afterAll(async () => {
    rmSync(directory, { recursive: true, force: true });
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  const scan = async (spillDirectory: string) => {
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { scan: { concurrency: 8, spillDirectory } }),
    );
    const accounts = sandbox.scenario.accounts;
    try {
      const reports = await engine.scan(
        accounts.map(a => ({ accountId: a.id, name: a.name })),
        {
          organizationId: sandbox.scenario.organization!.id,
          organizationAccountIds: accounts.map(a => a.id),
        },
      );
      // Times differ between two scans (the scan's and the sandbox's clock).
      return JSON.parse(
        JSON.stringify(reports).replace(
          /"\d{4}-\d\d-\d\dT[\d:.]+Z"/g,
          '"<time>"',
        ),
      ) as AccountReport[];
    } finally {
      clients.destroy();
    }
  };

  it('reports the same from the spill file as from memory', async () => {
    // The module itself (an `import * as` namespace would be a copy).
    const reads = jest.spyOn(
      require('node:fs') as typeof import('node:fs'),
      'readSync',
    );
    const fromFile = await scan(directory);
    expect(reads).toHaveBeenCalled();
    expect(readdirSync(directory)).toEqual([]);
    reads.mockClear();

    const notADirectory = join(directory, 'file');
    writeFileSync(notADirectory, '');
    const fromMemory = await scan(notADirectory);
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    expect(readdirSync(directory)).toEqual(['file']);

    expect(fromMemory).toEqual(fromFile);
    // Not vacuous: readers were analysed, for keys open to anyone too.
    const trails = fromFile.flatMap(r => r.trails ?? []);
    expect(trails.some(t => t.readers?.readers.length)).toBe(true);
    expect(trails.some(t => t.readers?.partial.length)).toBe(true);
  });

  it("keeps a key's deletion date through the spill file", async () => {
    // A member's own trail, its key scheduled for deletion (30 days).
    const trail = (sandbox.scenario.trails ?? []).find(
      t => t.kmsKey && !t.organization,
    )!;
    const before = Date.now();
    sandbox.mutate.setKeyState(trail.kmsKey!, 'PendingDeletion');
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { scan: { spillDirectory: directory } }),
    );
    try {
      const [report] = await engine.scan([{ accountId: trail.account }]);
      const key = report.trails?.find(t => t.name === trail.name)?.kmsKey;
      expect(key?.state).toBe('PendingDeletion');
      const due = Date.parse(key!.deletionDate!);
      expect(key!.deletionDate).toBe(new Date(due).toISOString());
      expect(due).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 1000);
      expect(due).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000 + 1000);
    } finally {
      clients.destroy();
      sandbox.mutate.setKeyState(trail.kmsKey!, 'Enabled');
    }
  });
});
