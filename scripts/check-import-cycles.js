#!/usr/bin/env node
/*
 * Fails when any workspace package has an import cycle between its own
 * modules, or when workspace packages depend on each other in a cycle.
 *
 * Type-only imports count: a cycle through `import type` still ties two
 * modules that should layer, and it turns into a runtime cycle (where an
 * import read before its module finished evaluating is undefined) as soon as
 * one of them imports a value. eslint-plugin-import's `no-cycle` skips them,
 * hence this check.
 *
 * Usage: node scripts/check-import-cycles.js [repository root]
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const SOURCE_EXTENSIONS = [
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
];
const RESOLVE_EXTENSIONS = [...SOURCE_EXTENSIONS, '.json'];
const SKIPPED_DIRS = new Set([
  'node_modules',
  'dist',
  'dist-types',
  'coverage',
  '.git',
]);

function listWorkspacePackages(root) {
  const { workspaces } = readJson(path.join(root, 'package.json'));
  const patterns = Array.isArray(workspaces) ? workspaces : workspaces.packages;
  const dirs = [];
  for (const pattern of patterns) {
    if (!pattern.endsWith('/*')) {
      dirs.push(path.join(root, pattern));
      continue;
    }
    const parent = path.join(root, pattern.slice(0, -2));
    for (const entry of fs.readdirSync(parent, { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(path.join(parent, entry.name));
    }
  }
  return dirs
    .filter(dir => fs.existsSync(path.join(dir, 'package.json')))
    .map(dir => ({ dir, json: readJson(path.join(dir, 'package.json')) }));
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function listSourceFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...listSourceFiles(full));
    } else if (
      SOURCE_EXTENSIONS.includes(path.extname(entry.name)) &&
      !entry.name.endsWith('.d.ts')
    ) {
      files.push(full);
    }
  }
  return files;
}

function resolveRelative(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [
    base,
    ...RESOLVE_EXTENSIONS.map(ext => base + ext),
    // `./x.js` written for ESM output while the source is `./x.ts`
    ...(/\.[mc]?js$/.test(base)
      ? SOURCE_EXTENSIONS.map(ext => base.replace(/\.[mc]?js$/, ext))
      : []),
    ...RESOLVE_EXTENSIONS.map(ext => path.join(base, `index${ext}`)),
  ];
  return candidates.find(
    candidate => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
  );
}

/** Every static import, re-export, `import()` and `require()` of a file. */
function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map(ref => ref.fileName);
}

/** Module graph of one package: edges to its own files only. */
function packageGraph(dir) {
  const graph = new Map();
  const files = listSourceFiles(dir);
  for (const file of files) {
    const edges = new Set();
    for (const specifier of importsOf(file)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(file, specifier);
      if (target && target.startsWith(dir + path.sep) && target !== file) {
        edges.add(target);
      }
    }
    graph.set(file, edges);
  }
  return graph;
}

/** Strongly connected components with more than one node (Tarjan). */
function findCycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];

  // Iterative, so deep import chains cannot overflow the call stack.
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [
      { node: start, edges: [...(graph.get(start) ?? [])], next: 0 },
    ];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      if (frame.next < frame.edges.length) {
        const target = frame.edges[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({
            node: target,
            edges: [...(graph.get(target) ?? [])],
            next: 0,
          });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node), index.get(target)));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) components.push(component);
      }
    }
  }
  return components.map(component => ({
    members: component,
    chain: shortestCycle(graph, component),
  }));
}

/** One concrete chain through a component, to say what to break. */
function shortestCycle(graph, component) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length) {
    const node = queue.shift();
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const chain = [start];
        for (let at = node; at !== start; at = previous.get(at)) {
          chain.splice(1, 0, at);
        }
        return [...chain, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [...component, component[0]];
}

function check(root) {
  const packages = listWorkspacePackages(root);
  const problems = [];

  for (const { dir, json } of packages) {
    for (const { members, chain } of findCycles(packageGraph(dir))) {
      const name = file => path.relative(dir, file);
      const others = members.filter(member => !chain.includes(member));
      problems.push(
        `${json.name}: ${chain.map(name).join(' → ')}${
          others.length
            ? ` (also in this cycle: ${others.map(name).join(', ')})`
            : ''
        }`,
      );
    }
  }

  const names = new Set(packages.map(p => p.json.name));
  const packageDeps = new Map(
    packages.map(({ json }) => [
      json.name,
      new Set(
        Object.keys({
          ...json.dependencies,
          ...json.devDependencies,
          ...json.peerDependencies,
        }).filter(name => names.has(name) && name !== json.name),
      ),
    ]),
  );
  for (const { chain } of findCycles(packageDeps)) {
    problems.push(`workspace packages: ${chain.join(' → ')}`);
  }
  return { packages: packages.length, problems };
}

module.exports = { check, findCycles };

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
  const { packages, problems } = check(root);
  if (problems.length) {
    console.error(`Import cycles (${problems.length}):`);
    for (const problem of problems) console.error(`  ${problem}`);
    console.error(
      'Break each one, e.g. by moving what both sides share into a module that imports neither.',
    );
    process.exit(1);
  }
  console.log(`No import cycles in ${packages} packages.`);
}
