// `npm run dial`: a real SIP call into the local stack, as SignalWire would place it: the SIP URI and the
// login come from the SWML document the product generates (create-sip-inbound swml, reading ./.env), with
// %{call.to} replaced by the number. Stays on the line for --hold seconds (Ctrl-C hangs up).
//   npm run dial -- [--number +14244851544] [--from +16505300051] [--hold 20]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'dotenv';
import { BIN } from '../helpers/cli.ts';
import { realSipDialer } from './sip-dialer.ts';
import { CALLER } from '../fixtures.ts';

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(2);
}

const { values } = parseArgs({ options: { number: { type: 'string' }, from: { type: 'string', default: CALLER }, hold: { type: 'string', default: '20' } } });
const env = existsSync('.env') ? parse(readFileSync('.env')) : {};
const number = values.number ?? process.env.PHONE_NUMBER ?? env.PHONE_NUMBER;
if (!number) fail('Which number? Pass --number +1… (or set PHONE_NUMBER), the number the wizard set up.');
const holdSec = Number(values.hold);
if (!(holdSec > 0)) fail(`--hold: "${values.hold}" is not a number of seconds`);

let doc: { sections?: { main?: Array<{ connect?: { to?: string; username?: string; password?: string } }> } };
try {
  doc = JSON.parse(execFileSync(process.execPath, [BIN, 'swml', '--number', number], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
} catch (err) {
  const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
  fail(`create-sip-inbound swml failed (${stderr.split('\n')[0] || 'no output'}): run the wizard first, in this directory`);
}
const connect = doc.sections?.main?.find((s) => s.connect)?.connect;
if (!connect?.to) fail('The SWML document has no connect to a SIP URI.');
const uri = connect.to.replace('%{call.to}', number);
process.stdout.write(`Calling ${uri} from ${values.from}${connect.username ? ' with the SWML\'s SIP login' : ''}…\n`);

const call = await realSipDialer({ uri, from: values.from!, username: connect.username, password: connect.password, holdMs: holdSec * 1000 }).catch((err: Error) =>
  fail(err.message),
);
if (call.code >= 300) {
  process.stdout.write(`Refused: ${call.code} ${call.reason}\n`);
  process.exit(1);
}
process.stdout.write(`Answered: ${call.code} ${call.reason}. On the line for ${holdSec} s (Ctrl-C hangs up)…\n`);
process.once('SIGINT', () => void call.hangup());
await call.ended;
process.stdout.write('Call ended.\n');
