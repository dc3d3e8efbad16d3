// `npm run dial`: a real SIP call into the local stack, as SignalWire would place it: the SIP URI and the
// login come from the SWML document the product generates (create-sip-inbound swml, reading the .env of the
// folder npm was started from, or -f), with %{call.to} replaced by the number. Stays on the line for --hold
// seconds (Ctrl-C hangs up). SIPp's own output stays in its log file.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'dotenv';
import { BIN } from '../helpers/cli.ts';
import { realSipDialer } from './sip-dialer.ts';
import { CALLER } from '../fixtures.ts';

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(2);
}

const USAGE = `Usage: npm run dial -- [--number <e164>] [--from <e164>] [--hold <s>] [-f <.env>]

Places a real SIP call into the local stack (npm run stack) with the SWML's SIP URI and login, as the
carrier would, and prints one line: answered or refused, the SIP code, and the seconds it took.

  --number <e164>  the number to call (default: PHONE_NUMBER from the .env)
  --from <e164>    the caller's number (default ${CALLER})
  --hold <s>       seconds to stay on the line once answered (default 20; Ctrl-C hangs up)
  -f, --env-file   the .env to read (default: .env in the folder npm was started from)
  -h, --help       this text
`;
let parsed;
try {
  parsed = parseArgs({
    options: {
      number: { type: 'string' },
      from: { type: 'string', default: CALLER },
      hold: { type: 'string', default: '20' },
      'env-file': { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (err) {
  fail(`${(err as Error).message.split('\n')[0]} (see npm run dial -- --help)`);
}
const { values } = parsed;
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
// npm runs scripts in the package's folder; the person's folder is INIT_CWD.
const here = process.env.INIT_CWD ?? process.cwd();
const envFile = resolve(here, values['env-file'] ?? '.env');
const env = existsSync(envFile) ? parse(readFileSync(envFile)) : {};
const number = values.number ?? process.env.PHONE_NUMBER ?? env.PHONE_NUMBER;
if (!number) fail('Which number? Pass --number +1… (or set PHONE_NUMBER), the number the wizard set up.');
const holdSec = Number(values.hold);
if (!(holdSec > 0)) fail(`--hold: "${values.hold}" is not a number of seconds`);

let doc: { sections?: { main?: Array<{ connect?: { to?: string; username?: string; password?: string } }> } };
try {
  doc = JSON.parse(execFileSync(process.execPath, [BIN, 'swml', '--number', number, '-f', envFile], { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
} catch (err) {
  const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
  fail(`create-sip-inbound swml failed (${stderr.split('\n')[0] || 'no output'}): run the wizard first, with the .env ${envFile}`);
}
const connect = doc.sections?.main?.find((s) => s.connect)?.connect;
if (!connect?.to) fail('The SWML document has no connect to a SIP URI.');
const uri = connect.to.replace('%{call.to}', number);
process.stdout.write(`Calling ${uri} from ${values.from}${connect.username ? ' with the SWML\'s SIP login' : ''}…\n`);

const started = Date.now();
const call = await realSipDialer({ uri, from: values.from!, username: connect.username, password: connect.password, holdMs: holdSec * 1000 }).catch((err: Error) =>
  fail(err.message),
);
if (call.code >= 300) {
  process.stdout.write(`Refused: ${call.code} ${call.reason} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.exit(1);
}
process.stdout.write(`Answered: ${call.code} ${call.reason} after ${((Date.now() - started) / 1000).toFixed(1)} s. On the line for ${holdSec} s (Ctrl-C hangs up)…\n`);
process.once('SIGINT', () => void call.hangup());
await call.ended;
process.stdout.write('Call ended.\n');
