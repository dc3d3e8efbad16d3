// `npm run stack`: every stand-in on loopback (LiveKit, a real Postgres behind PostgREST, SignalWire) and
// the .env lines that point the wizard at them, so the whole flow can be walked without any account.
// A simulated agent worker is registered, so the check's agent probe passes. Ctrl-C stops everything.
import { NUMBER, startWorld } from '../helpers/world.ts';

const agent = process.env.AGENT_NAME ?? 'inbound-agent';
const world = await startWorld({ signalwire: true });
world.livekit.registerWorker(agent, { joinDelayMs: 300 });

const lines = Object.entries(world.env).map(([k, v]) => `${k}=${v}`);
process.stdout.write(
  [
    'Stand-ins are up. Put these lines in a .env (or export them), then run: node bin/create-sip-inbound.js (after npm run build)',
    '',
    ...lines,
    `AGENT_NAME=${agent}`,
    '',
    `The SignalWire stand-in holds the number ${NUMBER}; a simulated worker answers as agent "${agent}".`,
    'The SIP domain is "localhost" so that the DNS check resolves without a network.',
    'Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await world.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
