// `sql`, `remove` and `check` without --number: the one number configured (.env, our trunk or the table)
// is taken and named in one line; several are a select at a keyboard and a usage error listing them otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SipClient } from 'livekit-server-sdk';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld, type World } from '../helpers/world.ts';
import { runCli } from '../helpers/cli.ts';
import { KEY, startPty } from '../helpers/pty.ts';
import { SECOND_NUMBER, UNRELATED_NUMBER } from '../fixtures.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

async function world(t: import('node:test').TestContext): Promise<World> {
  const w = await startWorld({ pg });
  t.after(() => w.stop());
  return w;
}

const addRow = (w: World, number: string, status = 'active') =>
  w.pg.query(`INSERT INTO signalwire_phone_numbers (number, status) VALUES ($1, $2)`, [number, status], w.db);

function emptyDir(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'csi-one-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('one active row in the table (another inactive): sql, remove --dry-run and check take it and say so in one line', async (t) => {
  const w = await world(t);
  await addRow(w, NUMBER);
  await addRow(w, UNRELATED_NUMBER, 'inactive');
  const cwd = emptyDir(t);
  const [sql, remove, check] = await Promise.all([
    runCli(['sql'], { env: w.env, cwd }),
    runCli(['remove', '--dry-run'], { env: w.env, cwd }),
    runCli(['check', '--no-probe'], { env: w.env, cwd }),
  ]);
  const line = `Using ${NUMBER}, the one number configured.\n`;
  assert.equal(sql.code, 0, sql.stderr);
  assert.equal(sql.stderr, line);
  assert.match(sql.stdout, new RegExp(`'\\${NUMBER}'`));
  assert.equal(remove.code, 0, remove.stderr);
  assert.equal(remove.stderr, line);
  assert.match(remove.stdout, new RegExp(`database: \\${NUMBER} status active → inactive`));
  assert.ok(check.stderr.startsWith(line), check.stderr);
  assert.doesNotMatch(check.stdout + check.stderr, /Missing|--number \(PHONE_NUMBER\)/);
});

test('one number on our trunk and no row: check reads the trunk and checks that number', async (t) => {
  const w = await world(t);
  await new SipClient(w.livekit.url, w.livekit.apiKey, w.livekit.apiSecret).createSipInboundTrunk('create-sip-inbound', [NUMBER]);
  const r = await runCli(['check', '--no-probe'], { env: w.env, cwd: emptyDir(t) });
  assert.match(r.stderr, new RegExp(`^Using \\${NUMBER}, the one number configured\\.$`, 'm'));
  assert.match(r.stdout, new RegExp(`Inbound trunk holds \\${NUMBER}`));
});

test("the number in .env is used without any read, and named as .env's", async (t) => {
  const cwd = emptyDir(t);
  writeFileSync(join(cwd, '.env'), `PHONE_NUMBER=${NUMBER}\n`);
  const r = await runCli(['sql'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `Using ${NUMBER}, PHONE_NUMBER in .env.\n`);
});

test('several numbers: without a keyboard exit 2 listing them; at a keyboard a select, and the picked one is used', async (t) => {
  const w = await world(t);
  await addRow(w, NUMBER);
  await addRow(w, SECOND_NUMBER);
  const cwd = emptyDir(t);
  const [sql, remove] = await Promise.all([runCli(['sql'], { env: w.env, cwd }), runCli(['remove', '--dry-run'], { env: w.env, cwd })]);
  for (const [r, name] of [[sql, 'sql'], [remove, 'remove']] as const) {
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^✖ 2 numbers are configured \\(\\${NUMBER}, \\${SECOND_NUMBER}\\): name one, e\\.g\\. .*create-sip-inbound(\\.js)? ${name} --number \\${NUMBER}\\n$`));
  }

  const p = startPty(['sql'], { env: w.env, cwd, cols: 80 });
  t.after(() => p.kill());
  await p.waitFor('Which number?');
  p.write(KEY.down + KEY.enter);
  assert.equal(await p.exited, 0, p.screen());
  assert.match(p.screen(), new RegExp(`VALUES \\('\\${SECOND_NUMBER}'|'\\${SECOND_NUMBER}'`));
});

test('nothing configured: the usage error still names --number', async (t) => {
  const r = await runCli(['sql'], { cwd: emptyDir(t) });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Missing .*--number \(PHONE_NUMBER\)/);
});
