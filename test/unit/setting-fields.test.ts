// Every field of a Setting is read somewhere in src/ besides settings.ts itself, so metadata that nothing
// shows or uses (a hint no prompt prints, say) cannot come back unnoticed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const settingsText = readFileSync(join(SRC, 'settings.ts'), 'utf8');
const readers = sources()
  .filter((f) => f !== join(SRC, 'settings.ts'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

/** The field names of `export interface Setting { … }`. */
function settingFields(text: string): string[] {
  const body = /export interface Setting \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
  return [...body.matchAll(/^\s*(\w+)\??:/gm)].map((m) => m[1]!);
}

/** A field counts as read where code takes it off an object (`s.hint`, `def?.hint`) or asks `'hint' in s`. */
const isRead = (field: string, code: string) => new RegExp(`\\??\\.${field}\\b(?!\\s*=[^=])|'${field}' in\\b`).test(code);

test('the Setting fields are found (else the test below would prove nothing)', () => {
  const fields = settingFields(settingsText);
  for (const f of ['key', 'label', 'hint', 'where', 'link', 'placeholder', 'requiredBy', 'choices']) assert.ok(fields.includes(f), f);
  assert.equal(isRead('nobodyReadsThis', readers), false, 'a field nothing reads is reported');
  assert.equal(isRead('hint', 'x.hint = 1'), false, 'a write is not a read');
});

test('every Setting field is read somewhere in src/', () => {
  const unread = settingFields(settingsText).filter((f) => !isRead(f, readers));
  assert.deepEqual(unread, [], `fields nothing in src/ reads: drop them or show them`);
});
