import { readFileSync } from 'fs';
import { resolve } from 'path';
import { FINDING_CODES } from '@trailguard/plugin-cloudtrail-encryption-common';
import { FINDING_CATALOGUE } from './catalogue';

const DOC = resolve(__dirname, '../../../../docs/findings.md');

/** The rows of the findings table, keyed by code, with formatting removed. */
function documentedFindings(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(DOC, 'utf8').split('\n')) {
    const code = /^\|\s*`([A-Z_]+)`\s*\|/.exec(line)?.[1];
    if (!code) continue;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map(cell => cell.trim().replace(/\\\|/g, '|').replace(/`/g, ''));
    rows.set(code, cells.slice(1));
  }
  return rows;
}

describe('FINDING_CATALOGUE', () => {
  it('covers every finding code', () => {
    expect(Object.keys(FINDING_CATALOGUE).sort()).toEqual(
      [...FINDING_CODES].sort(),
    );
  });

  it('agrees with docs/findings.md: every code, its severity and its texts', () => {
    const documented = documentedFindings();
    expect([...documented.keys()].sort()).toEqual([...FINDING_CODES].sort());
    for (const code of FINDING_CODES) {
      const entry = FINDING_CATALOGUE[code];
      expect([code, ...documented.get(code)!]).toEqual([
        code,
        entry.severity,
        entry.description,
        entry.remediation,
      ]);
    }
  });
});
