// A whole setup, then `remove`, in an 80-column terminal: no line is wider than 80 (lines wrap between words), and every
// prompt's hint and link lines stay inside clack's "│" gutter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld } from '../helpers/world.ts';
import { KEY, startPty } from '../helpers/pty.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

const COLS = 80;

test('a first setup, then remove, at 80 columns: every printed line fits, hints stay in the gutter, nothing breaks mid-word', { timeout: 90_000 }, async (t) => {
  const w = await startWorld({ pg, signalwire: true });
  t.after(() => w.stop());
  w.livekit.registerWorker('inbound-agent');
  const cwd = mkdtempSync(join(tmpdir(), 'csi-narrow-'));
  const p = startPty(['--agent', 'none'], { cwd, cols: COLS });
  t.after(() => p.kill());
  const steps: Array<[string | RegExp, string]> = [
    ['◆  LiveKit URL', w.env.LIVEKIT_URL + KEY.enter],
    ['◆  LiveKit API key', w.env.LIVEKIT_API_KEY + KEY.enter],
    ['◆  LiveKit API secret', w.env.LIVEKIT_API_SECRET + KEY.enter],
    ['◆  LiveKit SIP domain', w.env.LIVEKIT_SIP_DOMAIN + KEY.enter],
    ['◆  Agent name', 'inbound-agent' + KEY.enter],
    ['◆  Supabase URL', w.env.SUPABASE_URL + KEY.enter],
    ['◆  Supabase service role key', w.env.SUPABASE_SERVICE_ROLE_KEY + KEY.enter],
    ['◆  Phone number callers dial', NUMBER + KEY.enter],
    ['◆  Name for this number', 'Sales line' + KEY.enter],
    ['◆  Status', KEY.enter],
    ['◆  Speech-to-text provider', KEY.enter],
    ['◆  Speech-to-text model', KEY.enter],
    ['◆  Text-to-speech provider', KEY.enter],
    ['◆  Voice', KEY.enter],
    ['◆  LLM provider', KEY.enter],
    ['◆  LLM model', KEY.enter],
    ['◆  Deepgram API key', 'dg-key-not-real-0080' + KEY.enter],
    ['◆  ElevenLabs API key', KEY.enter],
    ['◆  OpenAI API key', KEY.enter],
    ['◆  Carrier of the number', KEY.enter],
    ['Point the number at the SWML automatically', 'y'],
    ['◆  SignalWire space URL', w.env.SIGNALWIRE_SPACE_URL! + KEY.enter],
    ['◆  SignalWire project ID', w.env.SIGNALWIRE_PROJECT_ID! + KEY.enter],
    ['◆  SignalWire API token', w.env.SIGNALWIRE_API_TOKEN! + KEY.enter],
    ['Apply these changes?', KEY.enter],
    ['Prove it with a call now?', KEY.enter],
  ];
  for (const [wait, keys] of steps) {
    await p.waitFor(wait, { timeoutMs: 15_000 });
    p.write(keys);
  }
  assert.equal(await p.exited, 0, p.screen());

  // No row the terminal had to wrap: every line printed was at most 80 columns wide.
  assert.deepEqual(p.overflowed(), [], `lines wider than ${COLS} (shown as row⏎overflow)`);

  // Every hint, "where to find it" and link line of a prompt is drawn inside the gutter.
  const screen = p.screen().split('\n');
  const prompts = screen.slice(0, screen.findIndex((l) => l.startsWith('The plan (')));
  const hints = prompts.filter((l) => /LiveKit Cloud →|Supabase → |SignalWire → API|https:\/\/|the agent needs it|agent_name|Its credentials are asked next/.test(l));
  assert.ok(hints.some((l) => l.includes('Its credentials are asked next')), 'the carrier select shows its hint');
  // The carrier select offered every carrier of the registry.
  assert.match(p.transcript(), /● SignalWire[\s\S]*○ Twilio/);
  assert.ok(hints.length >= 20, prompts.join('\n'));
  for (const l of hints) assert.match(l, /^│  /, `outside the gutter: ${l}`);
  // One gutter a line: a select's or a confirm's hint is not given a second (clack draws theirs itself).
  assert.deepEqual(p.transcript().split('\n').filter((l) => /│\s+│/.test(l)), [], 'a line with two gutters');

  // The .env bullet: a count, then one key a line.
  assert.match(p.screen(), /  • \.env: add \d+ settings\n +add LIVEKIT_URL "http:\/\/127\.0\.0\.1:\d+"\n +add LIVEKIT_API_KEY "APIstandin"\n/);
  assert.doesNotMatch(p.screen(), /sip::|projects\/p_\//);

  // Then remove, without --number: the one number configured, and its long script URLs, fit too.
  const r = startPty(['remove'], { cwd, cols: COLS });
  t.after(() => r.kill());
  // Each question's own words: the plan above them names the same script and row, so a looser text would answer early.
  for (const question of ['off LiveKit?', 'Delete our SWML script', 'inactive in the database (the row stays)?']) {
    await r.waitFor(question, { timeoutMs: 15_000 });
    r.write('y');
  }
  assert.equal(await r.exited, 0, r.screen());
  assert.match(r.screen(), /^Using \+14244851544, the one number configured\.$/m);
  assert.deepEqual(r.overflowed(), [], `remove: lines wider than ${COLS}`);
});
