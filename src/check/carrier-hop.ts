// The carrier's hop for a carrier without hops of its own (Carrier.hops): read the number's route through the
// carrier seam; it passes when the plan to route it is empty.
import { carrierNamed } from '../carriers/index.js';
import { carrierOf } from '../config.js';
import { tool } from '../invocation.js';
import { oneLine } from '../redact.js';
import type { Values } from '../settings.js';
import type { Hop } from '../hop.js';

export const CARRIER_HOP_ID = 'carrier';

/** `observed`: the number's state already read (the setup's, or a read started earlier); else read here. */
export async function carrierHop(values: Values, e164: string, observed?: Promise<unknown>): Promise<Hop> {
  const carrier = carrierNamed(carrierOf(values));
  const hop = { id: CARRIER_HOP_ID, title: `${carrier.label} number routes to LiveKit SIP` };
  const conn = carrier.conn(values);
  if (!conn) return { ...hop, ok: false, skipped: true, detail: `no ${carrier.label} credentials: make sure by hand that ${e164} routes to LiveKit SIP` };
  try {
    const target = carrier.target(values);
    const state = (await observed) ?? (await carrier.observe(conn, e164, target));
    const pending = carrier.plan(conn, e164, target, state);
    if (!pending.length) return { ...hop, ok: true, detail: `${e164} routes to LiveKit SIP` };
    return { ...hop, ok: false, detail: `not yet: ${pending.map((c) => c.summary).join('; ')}`, fix: `rerun ${tool()} to route it` };
  } catch (err) {
    return { ...hop, ok: false, detail: oneLine(err, values), fix: `check the ${carrier.label} credentials and the number, then rerun` };
  }
}
