// Step 4 (optional): SignalWire API credentials, so the number can be pointed at the SWML automatically.
// Without them, the SWML is printed with the dashboard path, as before.
import { askText, askVerified, confirm, say, select } from './ask.js';
import type { SignalWireConn, SignalWireState } from '../carriers/signalwire/index.js';
import { carrierState } from './reads.js';
import { set, type Session } from './session.js';
import { spin } from './spin.js';
import { carrierOf } from '../config.js';

// SignalWire's credentials (settings.ts marks them), in the order they are asked: the space first.
const KEYS = ['SIGNALWIRE_SPACE_URL', 'SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_API_TOKEN'] as const;

/** What the SignalWire step established: credentials that found the number, and the number's state. */
export interface SignalWireSeen {
  conn: SignalWireConn;
  state: SignalWireState;
}

export async function askSignalWire(s: Session): Promise<SignalWireSeen | undefined> {
  if (carrierOf(s.values) !== 'signalwire') return;
  const has = () => KEYS.every((k) => s.values[k]);
  if (!has()) {
    // Offered once, on a first run or when credentials are under review; never required.
    if (!s.prompts || s.ctx.yes || !(s.mode === 'first' || s.review.has('signalwire'))) return;
    if (!(await confirm('Point the number at the SWML automatically? (needs a SignalWire API token)', false))) return;
  }
  const { NumberNotInSpaceError, signalwire, signalWireConn } = await import('../carriers/signalwire/index.js');
  // The credential check is the read the plan needs: the number, and our script when SignalWire hosts it.
  const read = () => carrierState(s, signalwire, signalWireConn(s.values)!, s.values.PHONE_NUMBER!);
  await askVerified(
    s,
    [...KEYS],
    async () => {
      await spin(s, `Finding ${s.values.PHONE_NUMBER} in SignalWire…`, read);
    },
    // The credentials work, the number is not in that space: the number may be mistyped, the space the
    // wrong one, or the person may rather paste the SWML themselves.
    async (err) => {
      if (!(err instanceof NumberNotInSpaceError)) return undefined;
      const choice = await select(`${err.e164} is not in ${err.space}. What now?`, [
        { value: 'number', label: 'Change the number' },
        { value: 'credentials', label: 'Enter other SignalWire credentials', hint: 'another space or project' },
        { value: 'skip', label: 'Skip automation', hint: 'paste the SWML into SignalWire yourself' },
      ]);
      if (choice === 'number') {
        await askText(s, 'PHONE_NUMBER', { required: true });
        return 'verify';
      }
      if (choice === 'credentials') return 'ask';
      await skipAutomation(s);
      return 'done';
    },
  );
  const conn = signalWireConn(s.values);
  return conn ? { conn, state: await read() } : undefined;
}

/** No SignalWire API this run: the plan leaves SignalWire alone and the output shows the SWML to paste. */
async function skipAutomation(s: Session): Promise<void> {
  for (const k of KEYS) set(s, k, undefined, 'prompt');
  await say('info', 'SignalWire is left to you: the SWML to paste comes at the end.');
}
