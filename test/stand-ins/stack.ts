// `npm run stack`: everything the wizard talks to, on loopback, so the whole flow can be walked without an
// account. LiveKit is the real livekit-server + livekit-sip when they are installed (bash
// scripts/install-livekit.sh), with the starter agent on its offline providers (or the @livekit/agents test
// worker when the agent's Python environment is missing), else the LiveKit stand-in with a simulated worker,
// saying so. The database is a real Postgres behind the PostgREST stand-in, with the example prompts and a lead
// for the second number; SignalWire is its stand-in, which dials over a real SIP client (SIPp), so
// `check --call` proves a real call. Prints the .env lines and the commands; every one works from any folder.
// Ctrl-C stops.
import { renderSchema } from '../../src/render/sql.ts';
import { NUMBER, serviceEnv, startWorld } from '../helpers/world.ts';
import { startAgent, type AgentWorker } from '../real/agent.ts';
import { startLiveKitStack, type LiveKitStack } from '../real/livekit-stack.ts';
import { INSTALL_COMMAND, missingPieces, ROOT } from '../real/paths.ts';
import { SECOND_NUMBER } from '../fixtures.ts';
import { join } from 'node:path';
import { startPostgres } from './postgres.ts';
import { startPostgrest } from './postgrest.ts';
import { startSignalWire } from './signalwire.ts';
import { sipDialer } from '../real/sip-dialer.ts';
import { startStarterAgent, starterMissing } from '../real/starter.ts';
import { readTemplate } from '../../src/templates.ts';
import type { Service } from '../real/processes.ts';

const agentName = process.env.AGENT_NAME ?? 'inbound-agent';
const LEAD = 'Ada Lovelace';
const ownAgent = process.env.STACK_AGENT === '0';
const missing = missingPieces();
const stops: Array<() => Promise<unknown>> = [];
const lines: string[] = [];
// Every printed command works verbatim from any folder: absolute paths, and npm told where the clone is.
const wizard = `node ${join(ROOT, 'bin', 'create-sip-inbound.js')}`;
const dial = `npm --prefix ${ROOT} run dial --`;

if (missing.length) {
  const world = await startWorld({ signalwire: true });
  stops.push(() => world.stop());
  world.livekit.registerWorker(agentName, { joinDelayMs: 300 });
  lines.push(
    `LiveKit: the STAND-IN (the real server is not installed: missing ${missing.join(', ')}; run ${INSTALL_COMMAND}).`,
    'Calls can only be simulated; a simulated worker answers as agent "' + agentName + '".',
    '',
    `Put these lines in a .env (or export them), then run: ${wizard}`,
    '',
    ...Object.entries(world.env).map(([k, v]) => `${k}=${v}`),
    `AGENT_NAME=${agentName}`,
    '',
    `The SignalWire stand-in holds the number ${NUMBER}. The SIP domain is "localhost" so that the DNS check resolves without a network.`,
  );
} else {
  let lk: LiveKitStack | undefined;
  try {
    lk = await startLiveKitStack();
    stops.push(() => lk!.stop());
    const pg = await startPostgres();
    stops.push(() => pg.stop());
    const db = await pg.createDatabase();
    // The tables, the example prompts, and a lead calling from the second number: the greeting names her.
    await pg.psql(renderSchema(), db);
    await pg.psql(readTemplate('seed.sql'), db);
    await pg.psql(`INSERT INTO leads (phone, name, qualified) VALUES ('${SECOND_NUMBER}', '${LEAD}', true) ON CONFLICT (phone) DO NOTHING;`, db);
    const rest = await startPostgrest({ pg, db });
    stops.unshift(() => rest.stop());
    const signalwire = await startSignalWire({ dialer: (d) => sipDialer()(d) });
    stops.unshift(() => signalwire.stop());
    signalwire.addNumber(NUMBER);
    signalwire.addNumber(SECOND_NUMBER); // a second number of the space to place test calls from
    const env: Record<string, string> = { ...serviceEnv(lk, rest, signalwire), AGENT_NAME: agentName };
    const ws = lk.url.replace(/^http/, 'ws');
    let agent: string;
    if (ownAgent) agent = 'No agent worker is running (STACK_AGENT=0): start your own, below.';
    else if (!starterMissing().length) {
      const log = join(lk.dir, 'starter-agent.log');
      const starter: Service = await startStarterAgent({
        agentName,
        log,
        env: { LIVEKIT_URL: ws, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, SUPABASE_URL: rest.url, SUPABASE_SERVICE_ROLE_KEY: rest.serviceKey },
      });
      stops.unshift(() => starter.stop());
      agent = `The starter agent (templates/agent/python) runs as "${agentName}" on its offline providers (log: ${log}).`;
    } else {
      const worker: AgentWorker = await startAgent(lk, agentName || undefined, { url: rest.url, serviceKey: rest.serviceKey });
      stops.unshift(() => worker.stop());
      agent = `A test agent worker (@livekit/agents) runs as "${agentName}": it joins and logs calls, and says nothing (the starter agent needs ${starterMissing().join(' and ')}: bash scripts/install-agent.sh).`;
    }
    lines.push(
      `LiveKit: the REAL livekit-server and livekit-sip on 127.0.0.1 (SIP on ${lk.sipDomain}, TCP and UDP; logs in ${lk.dir}).`,
      agent,
      '',
      'Put these lines in a .env in a folder of your own:',
      '',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      '',
      'Then, in that folder, set up the number with the offline providers, and prove a real call end to end:',
      `  ${wizard} --number ${NUMBER} --stt-provider local --llm-provider local --tts-provider local`,
      `  ${wizard} check --call`,
      `The test call comes from ${SECOND_NUMBER}, a lead named ${LEAD}; add --leg livekit to dial LiveKit's SIP URI alone.`,
      '',
      'Or place a call yourself (SIPp, with the SIP login from the SWML the setup generated), and watch it:',
      `  ${dial} --number ${NUMBER} --hold 20`,
      `  ${wizard} check --live`,
      '',
      `Run your own agent against it instead (start the stack with STACK_AGENT=0 to leave the bundled one out):`,
      `  LIVEKIT_URL=${ws} LIVEKIT_API_KEY=${lk.apiKey} LIVEKIT_API_SECRET=<the secret above> python agent.py start`,
      `  (register agent_name "${agentName}" to match the rule, or set AGENT_NAME empty for automatic dispatch; the agent must`,
      '   publish an audio track: LiveKit SIP keeps the caller ringing until it can subscribe to one)',
    );
  } catch (err) {
    for (const stop of stops) await stop().catch(() => {});
    process.stderr.write(`The real LiveKit stack did not start: ${(err as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  }
}

process.stdout.write([...lines, 'Ctrl-C to stop.', ''].join('\n'));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  for (const s of stops) await s().catch(() => {});
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
