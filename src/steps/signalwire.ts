// Step 4 (optional): SignalWire API credentials, so the number can be pointed at the SWML automatically.
// Without them, the SWML is printed with the dashboard path, as before.
import { askVerified, confirm } from './ask.js';
import type { Session } from './session.js';
import { spin } from './spin.js';

export async function askSignalWire(s: Session): Promise<void> {
  const has = () => Boolean(s.values.SIGNALWIRE_PROJECT_ID && s.values.SIGNALWIRE_API_TOKEN && s.values.SIGNALWIRE_SPACE_URL);
  if (!has()) {
    // Offered once, on a first run or when credentials are under review; never required.
    if (!s.prompts || s.ctx.yes || !(s.mode === 'first' || s.review.has('signalwire'))) return;
    if (!(await confirm('Point the number at the SWML automatically? (needs a SignalWire API token)', false))) return;
  }
  const { findNumber, signalWireConn } = await import('../services/signalwire.js');
  await askVerified(
    s,
    [
      { key: 'SIGNALWIRE_SPACE_URL', placeholder: 'example.signalwire.com' },
      { key: 'SIGNALWIRE_PROJECT_ID' },
      { key: 'SIGNALWIRE_API_TOKEN', secret: true },
    ],
    async () => {
      await spin(s, `Finding ${s.values.PHONE_NUMBER} in SignalWire…`, () => findNumber(signalWireConn(s.values)!, s.values.PHONE_NUMBER!));
    },
  );
}
