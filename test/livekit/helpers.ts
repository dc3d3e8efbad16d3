// Shared by the LiveKit tests: a connection to the stand-in, a desired state, and one observe → plan → apply run.
import { applyPlan, type Change } from '../../src/changes.ts';
import { observeLiveKit, type LiveKitConn, type LiveKitDesired } from '../../src/services/livekit.ts';
import { planLiveKit } from '../../src/services/livekit-changes.ts';
import { after, before, beforeEach } from 'node:test';
import { startLiveKit, type LiveKitStandIn, type LoggedRequest } from '../stand-ins/livekit.ts';
import { AGENT_NAME, DEFAULT_NAME, NEXT_NUMBER, NUMBER } from '../fixtures.ts';
export { NUMBER } from '../fixtures.ts';

export const SECOND = NEXT_NUMBER;
export const AUTH = { username: 'sip-1a2b3c4d', password: 'Qm9vdHN0cmFwLXBhc3N3b3JkLTEyMzQ1' };

export function connOf(lk: LiveKitStandIn, over: Partial<LiveKitConn> = {}): LiveKitConn {
  return { url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret, ...over };
}

export function desired(over: Partial<LiveKitDesired> = {}): LiveKitDesired {
  return { number: NUMBER, trunkName: DEFAULT_NAME, ruleName: DEFAULT_NAME, agentName: AGENT_NAME, auth: AUTH, ...over };
}

/** Observe, plan and apply, as the wizard does; returns the changes made. */
export async function converge(conn: LiveKitConn, want: LiveKitDesired, opts: { useForeignTrunk?: boolean } = {}): Promise<Change[]> {
  const changes = planLiveKit(conn, want, await observeLiveKit(conn, want), opts);
  const report = await applyPlan(changes);
  if (report.failed) throw report.failed.error;
  return changes;
}

export const isWrite = (r: LoggedRequest) => /^(Create|Update|Delete)/.test(r.rpc);
export const writes = (lk: LiveKitStandIn, from = 0) => lk.requests.slice(from).filter(isWrite);

/** One stand-in for the whole test file, emptied before each test; read `.lk` inside the tests. */
export function sharedStandIn(): { lk: LiveKitStandIn } {
  const shared = {} as { lk: LiveKitStandIn };
  before(async () => (shared.lk = await startLiveKit()));
  after(() => shared.lk.stop());
  beforeEach(() => {
    shared.lk.trunks.clear();
    shared.lk.rules.clear();
    shared.lk.requests.length = 0;
  });
  return shared;
}
