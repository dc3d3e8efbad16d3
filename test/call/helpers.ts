// A whole world for the proven call: the check's setup (LiveKit stand-in with our trunk, rule and worker; the
// number's row behind PostgREST) plus a SignalWire space holding our number, pointed at our hosted SWML, and a
// second number to call from. The space's SIP dialer drives the LiveKit stand-in's simulated call.
import type { TestContext } from 'node:test';
import { scriptNameFor } from '../../src/carriers/signalwire/index.ts';
import { swmlTargetFor } from '../../src/carriers/signalwire/index.ts';
import type { Values } from '../../src/settings.ts';
import { setup, type Setup, type SetupOptions } from '../check/helpers.ts';
import type { Postgres } from '../stand-ins/postgres.ts';
import { startSignalWire, type SignalWireStandIn, type SignalWireStandInOptions } from '../stand-ins/signalwire.ts';
import { liveKitDialer } from '../stand-ins/swml-executor.ts';
import { CALLER } from '../fixtures.ts';

export { AGENT, CALLER, NUMBER, OTHER_NUMBER, SIP_AUTH } from '../check/helpers.ts';
export const FROM = CALLER;

export interface CallWorld extends Setup {
  sw: SignalWireStandIn;
}

export interface CallWorldOptions extends SetupOptions {
  /** The SWML our number runs (default: what the settings render). */
  swml?: unknown;
  /** Numbers of the space besides ours (default [FROM]). */
  otherNumbers?: string[];
  signalwire?: SignalWireStandInOptions;
}

export async function callWorld(t: TestContext, pg: Postgres, o: CallWorldOptions = {}): Promise<CallWorld> {
  const s = await setup(t, pg, o);
  const sw = await startSignalWire({ dialer: liveKitDialer(s.lk, { host: s.values.LIVEKIT_SIP_DOMAIN! }), ...o.signalwire });
  t.after(() => sw.stop());
  const target = swmlTargetFor(s.values);
  const contents = o.swml ?? (target.kind === 'hosted' ? target.swml : undefined);
  const script = sw.addScript(scriptNameFor(s.values.PHONE_NUMBER!), contents);
  sw.addNumber(s.values.PHONE_NUMBER!, { call_handler: 'relay_script', call_relay_script_url: script.request_url });
  for (const n of o.otherNumbers ?? [FROM]) sw.addNumber(n);
  const values: Values = { ...s.values, SIGNALWIRE_SPACE_URL: sw.url, SIGNALWIRE_PROJECT_ID: sw.projectId, SIGNALWIRE_API_TOKEN: sw.apiToken };
  return { ...s, sw, values, secrets: [...s.secrets, sw.apiToken] };
}

/** The SWML the settings render, with one change to its connect. */
export function swmlWith(values: Values, change: Record<string, unknown>): string {
  const t = swmlTargetFor(values);
  if (t.kind !== 'hosted') throw new Error('hosted target expected');
  const doc = JSON.parse(t.swml) as { sections: { main: Array<{ connect: Record<string, unknown> }> } };
  Object.assign(doc.sections.main[0]!.connect, change);
  return JSON.stringify(doc);
}
