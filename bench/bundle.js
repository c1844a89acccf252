#!/usr/bin/env node
/*
 * Bundle benchmark: builds the app (production) and prints the gzip size of
 * the chunk that holds the TrailGuard entity card — the code a browser
 * downloads when an AWS-account page first shows the card — and of the
 * fleet page's chunk.
 *
 *   yarn bench:bundle [--no-build]
 */
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { gzipSync } = require('node:zlib');

const root = resolve(__dirname, '..');
const staticDir = join(root, 'packages/app/dist/static');

if (!process.argv.includes('--no-build')) {
  execFileSync('yarn', ['workspace', 'app', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
}

// Strings only the card's (or the page's) own code contains.
const MARKERS = {
  'entity card': 'cloudtrail-encryption-card',
  'fleet page': 'Accounts by status',
};

const chunks = readdirSync(staticDir)
  .filter(f => f.endsWith('.js'))
  .map(f => {
    const text = readFileSync(join(staticDir, f));
    return {
      file: f,
      raw: statSync(join(staticDir, f)).size,
      gzip: gzipSync(text, { level: 9 }).length,
      text: text.toString('utf8'),
    };
  });

const rows = [];
for (const [what, marker] of Object.entries(MARKERS)) {
  const hits = chunks.filter(c => c.text.includes(marker));
  if (hits.length === 0) throw new Error(`No chunk contains the ${what}`);
  for (const c of hits) {
    rows.push([
      what,
      c.file,
      (c.raw / 1024).toFixed(1),
      (c.gzip / 1024).toFixed(1),
    ]);
  }
}
const total = chunks.reduce((n, c) => n + c.gzip, 0);

const head = ['what', 'chunk', 'raw KB', 'gzip KB'];
const widths = head.map((h, i) =>
  Math.max(h.length, ...rows.map(r => r[i].length)),
);
const line = cells => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(
  `\nbundle benchmark: ${chunks.length} chunks, ${(total / 1024).toFixed(
    0,
  )} KB gzip in all\n`,
);
console.log(line(head));
for (const r of rows) console.log(line(r));
