// The layout holds: every import in src/ (static, dynamic or type-only) goes to the same layer or one below,
// and no chain of imports comes back to where it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';

const SRC = new URL('../../src/', import.meta.url).pathname;

// Lowest first. src/*.ts (the settings, config, redaction, timing…) is the base every layer may use;
// cli.ts and help.ts sit on top of the commands.
const LAYERS = ['base', 'render', 'server', 'services', 'carriers', 'check', 'steps', 'commands', 'top'] as const;

function layerOf(file: string): number {
  const dir = file.includes('/') ? file.slice(0, file.indexOf('/')) : '';
  if (!dir) return LAYERS.indexOf(file === 'cli.ts' || file === 'help.ts' ? 'top' : 'base');
  const i = LAYERS.indexOf(dir as (typeof LAYERS)[number]);
  assert.ok(i >= 0, `src/${dir}/ is in no layer: add it to LAYERS in ${relative(process.cwd(), new URL(import.meta.url).pathname)}`);
  return i;
}

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [relative(SRC, join(dir, e.name))] : [],
  );
}

/** Every relative module a file imports, as a path under src/. */
export function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specs.map((s) => posix.normalize(posix.join(dirname(file), s)).replace(/\.js$/, '.ts'));
}

const files = sources();
const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(join(SRC, f), 'utf8'))]));

test('the import parser finds static, dynamic and type-only imports (else the tests below would prove nothing)', () => {
  const text = "import a from './a.js';\nimport type { B } from '../b.js';\nconst c = await import('./c/d.js');\nimport './e.js';\nlet t: import('./f.js').T;";
  assert.deepEqual(importsOf('steps/x.ts', text), ['steps/a.ts', 'b.ts', 'steps/c/d.ts', 'steps/e.ts', 'steps/f.ts']);
  assert.ok(files.length > 50 && [...graph.values()].flat().length > 100, 'src/ was read');
});

test('no import runs back up a layer', () => {
  const up = [...graph].flatMap(([from, tos]) =>
    tos.filter((to) => layerOf(to) > layerOf(from)).map((to) => `${from} (${LAYERS[layerOf(from)]}) imports ${to} (${LAYERS[layerOf(to)]})`),
  );
  assert.deepEqual(up, []);
});

test('every import names a file that exists', () => {
  const missing = [...graph].flatMap(([from, tos]) => tos.filter((to) => !graph.has(to)).map((to) => `${from} → ${to}`));
  assert.deepEqual(missing, []);
});

test('no circles: no chain of imports leads back to where it started', () => {
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') return void circles.push([...path.slice(path.indexOf(f)), f].join(' → '));
    state.set(f, 'open');
    for (const to of graph.get(f) ?? []) visit(to, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(circles, []);
});

// One folder per carrier: only SignalWire's own folder speaks its REST paths, so a second carrier never
// has to untangle them from the steps, checks or commands.
test("no file outside src/carriers/signalwire/ names SignalWire's API paths", () => {
  const api = /\/api\/(relay\/rest|fabric|calling|voice)\b/;
  assert.ok(files.some((f) => f.startsWith('carriers/signalwire/') && api.test(readFileSync(join(SRC, f), 'utf8'))), 'the pattern finds the paths where they live');
  const outside = files.filter((f) => !f.startsWith('carriers/signalwire/') && api.test(readFileSync(join(SRC, f), 'utf8')));
  assert.deepEqual(outside, []);
});

// The rest of the code reaches SignalWire through the carrier interface; only its own setup step and its own SWML
// commands (`swml` prints the document, `serve` answers for it) import from its folder.
test('outside src/carriers/, only SignalWire\'s own step and its swml and serve commands import from carriers/signalwire/', () => {
  const own = new Set(['steps/signalwire.ts', 'commands/swml.ts', 'commands/serve.ts']);
  const importers = [...graph].filter(([from, tos]) => !from.startsWith('carriers/') && tos.some((to) => to.startsWith('carriers/signalwire/'))).map(([from]) => from);
  assert.ok(importers.includes('commands/swml.ts'), 'the rule sees the imports it allows');
  assert.deepEqual(importers.filter((f) => !own.has(f)), []);
});
