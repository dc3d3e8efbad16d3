// `check --call` from the CLI, as a person runs it: it refuses to place a billed call without --yes when it
// cannot ask, rejects a bad --leg / --call-seconds in one line, and on Ctrl-C mid-call ends the call
// (SignalWire sees calling.end) and exits 130.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFromSource, type Collected } from '../helpers/cli.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { callWorld, type CallWorld } from './helpers.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

type Run = Collected;
const cli = checkFromSource;

const noSecrets = (w: CallWorld, r: Run) => {
  for (const s of w.secrets) assert.ok(!r.out.includes(s), 'a secret in the output');
};

test('check --call without --yes and no terminal, or with a bad --leg / --call-seconds: exit 2, one line, nothing dialled', async (t) => {
  const w = await callWorld(t, pg);
  const f = ['-f', w.envFile, '--no-probe'];
  const [noYes, leg, secs] = await Promise.all([
    cli([...f, '--call'], w.values),
    cli([...f, '--call', '--yes', '--leg', 'sideways'], w.values),
    cli([...f, '--call', '--yes', '--call-seconds', 'soon'], w.values),
  ]);
  assert.equal(noYes.code, 2, noYes.out);
  assert.match(noYes.out, /check --call places a billed call and asks first: pass --yes/);
  assert.equal(leg.code, 2);
  assert.match(leg.out, /--leg: "sideways" is not full or livekit/);
  assert.equal(secs.code, 2);
  assert.match(secs.out, /--call-seconds: "soon" is not a number of seconds/);
  for (const r of [noYes, leg, secs]) {
    assert.equal(r.out.trim().split('\n').length, 1, r.out);
    noSecrets(w, r);
  }
  assert.equal(w.sw.requests.filter((r) => r.path === '/api/calling/calls').length, 0);
});

test('Ctrl-C mid-call: the call is ended with calling.end, exit 130', async (t) => {
  // No worker: the call stays up (no agent to end it early) until the person gives up.
  const w = await callWorld(t, pg, { worker: null });
  let sent = false;
  const r = await cli(['-f', w.envFile, '--no-probe', '--call', '--yes', '--call-seconds', '60'], w.values, (all, child) => {
    if (!sent && /reached LiveKit/.test(all)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  assert.ok(sent, r.out);
  assert.equal(r.code, 130, r.out);
  assert.match(r.out, /Test call: places one call of at most 60 s from \+16505300051 to \+14244851544; SignalWire bills it/);
  assert.match(r.out, /✖ Stopped: the test call was ended \(calling\.end\)\./);
  const ends = w.sw.requests.filter((x) => x.path === '/api/calling/calls' && (x.body as { command?: string }).command === 'calling.end');
  assert.equal(ends.length, 1);
  const id = (ends[0]!.body as { id: string }).id;
  assert.deepEqual(w.sw.endedByApi, [id]);
  assert.notEqual(w.sw.logs.get(id)!.status, 'answered', 'the call is over');
  assert.equal([...w.lk.rooms.values()].flatMap((room) => room.participants).filter((p) => p.attributes['sip.trunkPhoneNumber']).length, 0, 'the caller left LiveKit');
  noSecrets(w, r);
});
