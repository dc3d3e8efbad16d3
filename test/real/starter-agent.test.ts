// The starter agent on real calls, as a user gets it (starter-agent.ts): the setup runs non-interactively in an
// empty folder with `--agent python` and the `local` providers and generates the agent; a lead and a prompt are
// added; the agent starts as its README says; SIPp calls with the SWML's login, and this side hears the audio
// LiveKit sends the caller. LiveKit answers only once the agent publishes audio; the agent writes the call's
// `interactions` row at the hang-up. One agent process takes both calls, the lead's and an unknown caller's.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dialAndListen } from './caller-audio.ts';
import { CALLER, NUMBER, startRealWorld, waitFor, type RealWorld } from './helpers.ts';
import { insert, rest, SETUP_ARGS, startGeneratedAgent, swmlCall, type RunningAgent } from './starter-agent.ts';

const UNKNOWN_CALLER = '+16505550177';
// The unknown caller's greeting, from the database (the built-in one differs): proof the agent used that prompt.
const UNKNOWN_GREETING = 'Hello, you have reached the test line. May I have your name?';

let world: RealWorld;
let agent: RunningAgent | undefined;
before(async () => {
  world = await startRealWorld();
}, { timeout: 60_000 });
after(async () => {
  await agent?.stop();
  await world?.stop();
});

interface Interaction {
  phone_number: string;
  caller_number: string;
  call_type: string;
  providers: Record<string, string>;
  transcript: Array<{ role: string; text: string }>;
  usage: { stt: { audio_seconds: number }; llm: { prompt_tokens: number; completion_tokens: number }; tts: { characters: number } };
  call_id: string;
}

/** A real call from `from`; resolves with its row and what the caller heard. */
async function call(from: string) {
  const answer = await dialAndListen(await swmlCall(world, from, 5_000));
  assert.equal(answer.code, 200, `${answer.code} ${answer.reason}: the agent never published audio (${agent?.service.tail(5)})`);
  await answer.ended;
  const row = await waitFor(`the interactions row for the call from ${from}`, async () => {
    const rows = (await (await rest(world, `interactions?select=*&caller_number=eq.${encodeURIComponent(from)}`)).json()) as Interaction[];
    return rows[0];
  }, 30_000);
  return { row, audio: answer.audio, answeredAt: answer.answeredAt };
}

test('the setup creates the agent; a lead calls: it loads the number row, greets the lead by name, the caller hears it, and the call is logged inbound-qualified', { timeout: 180_000 }, async (t) => {
  const setup = await world.cli(SETUP_ARGS);
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);
  for (const file of ['agent.py', 'requirements.txt', 'README-agent.md', 'inbound/calls.py']) assert.ok(existsSync(join(world.cwd, file)), `the setup did not create ${file}:\n${setup.stdout}`);
  await insert(world, 'leads', { phone: CALLER, name: 'Ada Lovelace', qualified: true });
  await insert(world, 'call_prompts', { call_type: 'inbound-unknown', greeting: UNKNOWN_GREETING, instructions: 'Ask the caller for their name.' });
  agent = await startGeneratedAgent(world.cwd);

  const { row, audio, answeredAt } = await call(CALLER);
  assert.equal(row.phone_number, NUMBER);
  assert.equal(row.caller_number, CALLER);
  assert.equal(row.call_type, 'inbound-qualified');
  assert.deepEqual(row.providers, { stt: 'local/pocketsphinx', llm: 'local/scripted', tts: 'local/espeak-ng', settings: 'row' });
  assert.equal(row.transcript[0]!.role, 'assistant');
  assert.match(row.transcript[0]!.text, /Ada Lovelace/);
  // The usage livekit-agents counted (it joins sentences without their space): the greeting's characters at least,
  // and the LLM's tokens (none may be spent on a call that only hears a tone).
  assert.ok(row.usage.tts.characters >= row.transcript[0]!.text.replace(/\s/g, '').length, JSON.stringify(row.usage));
  assert.equal(typeof row.usage.llm.prompt_tokens, 'number');
  t.diagnostic(`usage: ${JSON.stringify(row.usage)}`);
  // Half a second of sound at least (25 packets of 20 ms): the greeting, not a click.
  assert.ok(audio.soundPackets >= 25, `the caller heard ${audio.soundPackets} packets with sound of ${audio.packets} (peak ${audio.peak})`);
  t.diagnostic(`the caller heard ${audio.soundPackets} of ${audio.packets} RTP packets with sound, peak ${audio.peak}`);
  if (answeredAt !== undefined && audio.firstSoundAt !== undefined) t.diagnostic(`answer → first sound at the caller: ${Math.round(audio.firstSoundAt - answeredAt)} ms`);
});

test('an unknown number calls the same agent: inbound-unknown, greeted with the unknown-caller prompt', { timeout: 120_000 }, async () => {
  assert.ok(agent, 'the agent did not start (see the test before)');
  const { row, audio } = await call(UNKNOWN_CALLER);
  assert.equal(row.call_type, 'inbound-unknown');
  assert.equal(row.caller_number, UNKNOWN_CALLER);
  assert.equal(row.transcript[0]!.role, 'assistant');
  assert.equal(row.transcript[0]!.text, UNKNOWN_GREETING);
  assert.ok(audio.soundPackets >= 25, `the caller heard ${audio.soundPackets} packets with sound of ${audio.packets}`);
});
