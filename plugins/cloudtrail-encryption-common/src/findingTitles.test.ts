import { readFileSync } from 'fs';
import { resolve } from 'path';
import { FINDING_CODES } from './findings';
import { FINDING_TITLES, findingDocsAnchor } from './findingTitles';
import { SEVERITIES } from './severity';

const DOC = resolve(__dirname, '../../../docs/findings.md');

/** "### CODE" headings of docs/findings.md, with the line that follows each. */
function documentedTitles(): Map<string, string> {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const titles = new Map<string, string>();
  lines.forEach((line, index) => {
    const code = /^### ([A-Z_]+)$/.exec(line)?.[1];
    if (code) titles.set(code, lines[index + 2] ?? '');
  });
  return titles;
}

describe('FINDING_TITLES', () => {
  it('names every finding code with a known severity', () => {
    expect(Object.keys(FINDING_TITLES).sort()).toEqual(
      [...FINDING_CODES].sort(),
    );
    for (const code of FINDING_CODES) {
      expect(FINDING_TITLES[code].title).toMatch(/^[A-Z]/);
      expect(SEVERITIES).toContain(FINDING_TITLES[code].severity);
    }
  });

  it('gives every code a heading in docs/findings.md with the same title', () => {
    const documented = documentedTitles();
    expect([...documented.keys()].sort()).toEqual([...FINDING_CODES].sort());
    for (const code of FINDING_CODES) {
      const { title, severity } = FINDING_TITLES[code];
      expect(documented.get(code)).toBe(
        `${title} (${severity}). See its row in the table above.`,
      );
    }
  });

  it('anchors each code where Markdown renderers slug its heading', () => {
    expect(findingDocsAnchor('KMS_KEY_REGION_MISMATCH')).toBe(
      'kms_key_region_mismatch',
    );
  });
});
