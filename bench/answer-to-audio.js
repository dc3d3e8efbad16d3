// Answer to audio: how long after LiveKit answers a call (the 200 OK at the caller) the caller hears the
// greeting (the first RTP packet whose G.711 samples are not silence), against the first RTP packet of any kind
// in the same call (the media path's own delay, the baseline). Real livekit-server + livekit-sip, the PostgREST
// stand-in over a throwaway Postgres, and the starter agent the setup generates (`local` providers), started
// once; a lead calls `--calls` times after one warm-up call. Medians. Needs a build (npm run build), the real
// LiveKit (bash scripts/install-livekit.sh) and the agent's environment (bash scripts/install-agent.sh).
//
// Usage: npm run build && node bench/answer-to-audio.js [--calls 5] [--hold 3]
import { parseArgs } from 'node:util';
import { median } from './lib.js';

const { values: opt } = parseArgs({ options: { calls: { type: 'string', default: '5' }, hold: { type: 'string', default: '3' } } });
const calls = Number(opt.calls);
const holdMs = Number(opt.hold) * 1000;

// The real-LiveKit helpers are TypeScript: load them through tsx (a dev dependency).
const { register } = await import('tsx/esm/api');
register();
const { startRealWorld, CALLER } = await import('../test/real/helpers.ts');
const { dialAndListen } = await import('../test/real/caller-audio.ts');
const { insert, SETUP_ARGS, startGeneratedAgent, swmlCall } = await import('../test/real/starter-agent.ts');
const { VERSIONS } = await import('../test/real/paths.ts');

/** One call from the lead: ms from dialling to the answer, and from the answer to the first packet and sound. */
async function measure(world) {
  const dialled = Date.now();
  const answer = await dialAndListen(await swmlCall(world, CALLER, holdMs));
  await answer.ended;
  const { audio, answeredAt } = answer;
  if (answer.code !== 200 || answeredAt === undefined) throw new Error(`the call was not answered: ${answer.code} ${answer.reason}`);
  if (audio.firstSoundAt === undefined) throw new Error(`the caller heard no sound (${audio.packets} packets, peak ${audio.peak})`);
  return { ring: answeredAt - dialled, packet: audio.firstPacketAt - answeredAt, sound: audio.firstSoundAt - answeredAt };
}

const world = await startRealWorld();
let agent;
try {
  const setup = await world.cli(SETUP_ARGS);
  if (setup.code !== 0) throw new Error(`the setup failed: ${setup.stdout}${setup.stderr}`);
  await insert(world, 'leads', { phone: CALLER, name: 'Ada Lovelace', qualified: true });
  // A call's job lasts until its room closes, some 20 s after the hang-up: room for every call of the run.
  agent = await startGeneratedAgent(world.cwd, calls + 2);
  await measure(world); // warm-up: the first call pays for imports in the job process
  const runs = [];
  for (let i = 0; i < calls; i++) runs.push(await measure(world));
  const m = (k) => median(runs.map((r) => r[k]));
  const [ring, packet, sound] = [m('ring'), m('packet'), m('sound')];
  const ms = (x) => `${x.toFixed(0).padStart(6)} ms`;
  console.log(`answer to audio, median of ${calls} calls (livekit-server ${VERSIONS.server}, livekit-sip ${VERSIONS.sip}, starter agent, local providers)`);
  console.log(`  dial → 200 OK                    ${ms(ring)}`);
  console.log(`  200 OK → first RTP packet        ${ms(packet)}   (baseline: the media path, silence included)`);
  console.log(`  200 OK → first sound             ${ms(sound)}   ${(sound / Math.max(packet, 1)).toFixed(1)}× the baseline, +${(sound - packet).toFixed(0)} ms`);
  console.log(`  per call (ring/packet/sound ms): ${runs.map((r) => `${r.ring.toFixed(0)}/${r.packet.toFixed(0)}/${r.sound.toFixed(0)}`).join('  ')}`);
} finally {
  await agent?.stop();
  await world.stop();
}
