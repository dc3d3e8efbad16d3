// Step 4 (optional): SignalWire API credentials, so the number can be pointed at the SWML automatically.
// Without them, the SWML is printed with the dashboard path, as before.
import { UsageError } from '../errors.js';
import { clack, red } from '../ui.js';
import { askSecret, askText, confirm } from './ask.js';
import { wants, type Session } from './session.js';
import { spin } from './spin.js';

export async function askSignalWire(s: Session): Promise<void> {
  const has = () => Boolean(s.values.SIGNALWIRE_PROJECT_ID && s.values.SIGNALWIRE_API_TOKEN && s.values.SIGNALWIRE_SPACE_URL);
  if (!has()) {
    // Offered once, on a first run or when credentials are under review; never required.
    if (!s.prompts || s.ctx.yes || !(s.mode === 'first' || s.review.has('signalwire'))) return;
    if (!(await confirm('Point the number at the SWML automatically? (needs a SignalWire API token)', false))) return;
  }
  const { findNumber, signalWireConn } = await import('../services/signalwire.js');
  let again = false;
  for (;;) {
    if (again || wants(s, 'SIGNALWIRE_SPACE_URL', true)) await askText(s, 'SIGNALWIRE_SPACE_URL', { required: true, placeholder: 'example.signalwire.com' });
    if (again || wants(s, 'SIGNALWIRE_PROJECT_ID', true)) await askText(s, 'SIGNALWIRE_PROJECT_ID', { required: true });
    if (again || wants(s, 'SIGNALWIRE_API_TOKEN', true)) await askSecret(s, 'SIGNALWIRE_API_TOKEN', { required: true });
    try {
      await spin(s, `Finding ${s.values.PHONE_NUMBER} in SignalWire…`, () => findNumber(signalWireConn(s.values)!, s.values.PHONE_NUMBER!));
      return;
    } catch (err) {
      if (!s.prompts || !(err instanceof UsageError)) throw err;
      (await clack()).log.error(red(err.message));
      again = true;
    }
  }
}
