// `npm run stack`: everything the wizard talks to, on loopback, so the whole flow can be walked without an
// account. LiveKit is the real livekit-server + livekit-sip with a real @livekit/agents worker when they are
// installed (bash scripts/install-livekit.sh), else the LiveKit stand-in with a simulated worker, saying
// so. The database is a real Postgres behind the PostgREST stand-in; SignalWire is its stand-in.
// Prints the .env lines, the command that places a real SIP call, and how to run your own agent. Ctrl-C stops.
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

const agentName = process.env.AGENT_NAME ?? 'inbound-agent';
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
    await pg.psql(renderSchema(), db);
    const rest = await startPostgrest({ pg, db });
    stops.unshift(() => rest.stop());
    const signalwire = await startSignalWire({});
    stops.unshift(() => signalwire.stop());
    signalwire.addNumber(NUMBER);
    signalwire.addNumber(SECOND_NUMBER); // a second number of the space to place test calls from
    let agent: AgentWorker | undefined;
    if (!ownAgent) {
      agent = await startAgent(lk, agentName || undefined);
      stops.unshift(() => agent!.stop());
    }
    const env: Record<string, string> = { ...serviceEnv(lk, rest, signalwire), AGENT_NAME: agentName };
    const ws = lk.url.replace(/^http/, 'ws');
    lines.push(
      `LiveKit: the REAL livekit-server and livekit-sip on 127.0.0.1 (SIP on ${lk.sipDomain}, TCP and UDP; logs in ${lk.dir}).`,
      agent ? `A real agent worker (@livekit/agents) is registered as "${agentName}".` : 'No agent worker is running (STACK_AGENT=0): start your own, below.',
      '',
      `Put these lines in a .env (or export them), then run: ${wizard} --number ${NUMBER}`,
      '',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      '',
      'Then place a real SIP call into it (SIPp, with the SIP login from the SWML the wizard generates), in the folder of that .env:',
      `  ${dial} --number ${NUMBER} --hold 20`,
      `and watch it arrive with: ${wizard} check --live`,
      '',
      `Run your own agent against it instead (start the stack with STACK_AGENT=0 to leave the bundled one out):`,
      `  LIVEKIT_URL=${ws} LIVEKIT_API_KEY=${lk.apiKey} LIVEKIT_API_SECRET=<the secret above> python agent.py start`,
      `  (register agent_name "${agentName}" to match the rule, or set AGENT_NAME empty for automatic dispatch; the agent must`,
      '   publish an audio track: LiveKit SIP keeps the caller ringing until it can subscribe to one)',
      '',
      `The SignalWire stand-in holds the numbers ${NUMBER} and ${SECOND_NUMBER} (call from the second).`,
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
