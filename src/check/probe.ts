// The agent probe: put the agent into a throwaway room the way a call would, and time how long until a
// participant of kind AGENT is there. Named agents are dispatched explicitly; for automatic dispatch an
// empty room under the rule's prefix is created, which LiveKit hands to every unnamed worker.
import { randomBytes } from 'node:crypto';
import { liveKitProblem, type LiveKitApi } from './livekit-api.js';
import { agentIn } from './participants.js';
import { seconds } from '../timing.js';
import type { LiveKitConn, ProbeResult } from './types.js';

export const PROBE_TIMEOUT_MS = 20_000;

export interface ProbeOptions {
  /** The agent to dispatch; undefined for automatic dispatch. */
  agentName: string | undefined;
  /** What the dispatch rule names (to name both sides of a mismatch); undefined when no rule was found. */
  ruleAgents: string[] | undefined;
  roomPrefix: string;
  timeoutMs?: number;
  /** The first wait between looks; each next one doubles, up to POLL_CAP_MS. */
  pollMs?: number;
  /** Aborted (Enter at a keyboard): stop waiting and report the probe as skipped. */
  signal?: AbortSignal;
}

/** The longest wait between two looks: a 20 s probe then sends at most 10 requests (0.25, 0.5, 1, 2, 4, 4 … s). */
const POLL_CAP_MS = 4_000;

export async function probeAgent(api: LiveKitApi, conn: LiveKitConn, o: ProbeOptions): Promise<ProbeResult> {
  const timeoutMs = o.timeoutMs ?? PROBE_TIMEOUT_MS;
  const room = `${o.roomPrefix}_probe_${randomBytes(6).toString('hex')}`;
  const who = o.agentName ? `agent "${o.agentName}"` : 'an agent (automatic dispatch)';
  const base = { room, ...(o.agentName ? { agentName: o.agentName } : {}) };
  const started = Date.now();
  let created = false;
  try {
    try {
      if (o.agentName) await api.agents.createDispatch(room, o.agentName);
      else await api.rooms.createRoom({ name: room, emptyTimeout: 60 });
      created = true;
    } catch (err) {
      const p = liveKitProblem(err, conn, o.agentName ? 'dispatching the agent' : 'creating a probe room');
      return { ...base, ok: false, detail: p.detail, fix: p.fix };
    }
    // Backing off: an agent that is running joins within a second or two; one that is not needs no
    // request every 250 ms to prove it.
    for (let wait = o.pollMs ?? 250; ; wait = Math.min(wait * 2, POLL_CAP_MS)) {
      const agent = agentIn(await api.rooms.listParticipants(room), o.agentName);
      if (agent) {
        const ms = Date.now() - started;
        return { ...base, ok: true, joinedMs: ms, detail: `${who} joined a test room in ${seconds(ms)}` };
      }
      if (Date.now() - started >= timeoutMs) break;
      if (await sleep(Math.min(wait, Math.max(0, timeoutMs - (Date.now() - started))), o.signal))
        return { ...base, ok: false, skipped: true, detail: `skipped with Enter after ${seconds(Date.now() - started)}; run the check again once the agent runs` };
    }
    return { ...base, ok: false, detail: `no agent joined in ${seconds(timeoutMs)}`, fix: causes(o) };
  } catch (err) {
    const p = liveKitProblem(err, conn, 'watching the probe room');
    return { ...base, ok: false, detail: p.detail, fix: p.fix };
  } finally {
    // Always: a probe must leave nothing behind, whatever happened above.
    if (created) await api.rooms.deleteRoom(room).catch(() => {});
  }
}

/** The likely causes, naming both sides of an agent-name mismatch. */
function causes(o: ProbeOptions): string {
  const worker = 'the worker is not running or not connected to this LiveKit project (start it, e.g. python agent.py dev; check its LIVEKIT_URL)';
  const rule = !o.ruleAgents
    ? 'no dispatch rule found'
    : o.ruleAgents.length
      ? `the rule dispatches ${o.ruleAgents.map((a) => `"${a}"`).join(', ')}`
      : 'the rule names no agent';
  if (o.agentName)
    return `${worker}; or the worker registers another agent_name than "${o.agentName}" (AGENT_NAME; ${rule}): they must be the same`;
  return `${worker}; or the worker registers an agent_name (${rule}, AGENT_NAME is empty): a named worker is only dispatched explicitly, so set AGENT_NAME to its name and rerun the wizard`;
}

/** Resolves after ms (false), or at once when the signal aborts (true). */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<boolean>((r) => {
    if (signal?.aborted) return r(true);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      r(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      r(true);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
