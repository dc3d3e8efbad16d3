// What the agent says it did on a call, read from the convention in docs/agent-report.md: `inbound.*` attributes
// on the agent's participant, and the `interactions` row it writes when the call ends. The check compares them
// with the number's row and turns them into steps of the call's proof. An agent that reports nothing is allowed.
import type { InteractionSeen } from '../services/supabase.js';
import type { Values } from '../settings.js';
import { elapsed } from '../timing.js';
import type { AgentReport, CallStep } from './types.js';

export type { AgentReport, InteractionSeen };

export const AGENT_REPORT_DOC = 'docs/agent-report.md';
export const INTERACTIONS_STEP = 'Interactions row';
const PREFIX = 'inbound.';

export function readAgentReport(attrs: Record<string, string> | undefined): AgentReport | undefined {
  const a = attrs ?? {};
  if (!Object.keys(a).some((k) => k.startsWith(PREFIX))) return undefined;
  const get = (k: string) => (a[PREFIX + k] ? a[PREFIX + k] : undefined);
  const at = Number(get('greeting_at'));
  const settings = get('settings');
  const r: AgentReport = { version: get('v') ?? '1' };
  const put = <K extends keyof AgentReport>(k: K, v: AgentReport[K] | undefined) => v !== undefined && (r[k] = v);
  put('callId', get('call_id'));
  put('number', get('number'));
  put('settings', settings === 'row' || settings === 'defaults' ? settings : undefined);
  put('reason', get('reason'));
  put('callType', get('call_type'));
  put('stt', get('stt'));
  put('llm', get('llm'));
  put('tts', get('tts'));
  put('fallback', get('fallback'));
  put('greeting', get('greeting'));
  put('greetingAt', Number.isFinite(at) && at > 0 ? at : undefined);
  return r;
}

/** The providers the number's row names, in the convention's "provider/model" form. */
export function rowProviders(row: Values): { stt?: string; llm?: string; tts?: string } {
  const join = (p?: string, m?: string) => (p ? (m ? `${p}/${m}` : p) : undefined);
  const out: { stt?: string; llm?: string; tts?: string } = {};
  const stt = join(row.STT_PROVIDER, row.STT_MODEL);
  const llm = join(row.LLM_PROVIDER, row.LLM_MODEL);
  const tts = join(row.TTS_PROVIDER, row.TTS_VOICE);
  if (stt) out.stt = stt;
  if (llm) out.llm = llm;
  if (tts) out.tts = tts;
  return out;
}

/** "local" in the row is satisfied by any local model; otherwise provider and (when the row names one) model match. */
function sameProvider(used: string, wanted: string): boolean {
  const [up, ...um] = used.split('/');
  const [wp, ...wm] = wanted.split('/');
  if (up !== wp) return false;
  return wp === 'local' || !wm.length || um.join('/') === wm.join('/');
}

export interface ProofInput {
  e164: string;
  report: AgentReport | undefined;
  /** The number's row as the check read it; undefined when there is none or it was not read. */
  row?: Values | undefined;
  /** Server time (epoch ms) the call reached LiveKit (its room was created). */
  reachedAt?: number | undefined;
  /** The agent's `interactions` row, when found. */
  interaction?: InteractionSeen | undefined;
  /** What the interaction lookup found when there is no row. */
  interactionState?: 'found' | 'not-found' | 'no-table' | 'not-checked' | undefined;
}

/** The success criteria the convention can show, as steps: settings, greeting, log. */
export function agentProof(p: ProofInput): CallStep[] {
  const steps: CallStep[] = [];
  const r = p.report;
  if (!r) {
    steps.push({ title: 'Agent report', ok: true, skipped: true, detail: `the agent joined; it reports no settings (the convention: ${AGENT_REPORT_DOC})` });
  } else {
    steps.push(settingsStep(p.e164, r, p.row));
    steps.push(greetingStep(r, p.reachedAt));
  }
  const log = interactionStep(p);
  if (log) steps.push(log);
  return steps;
}

function settingsStep(e164: string, r: AgentReport, row: Values | undefined): CallStep {
  const title = 'Agent loaded the number\'s settings';
  const used = [r.stt, r.llm, r.tts].filter(Boolean).join(' · ') || 'no providers reported';
  const callType = r.callType ? `, call type ${r.callType}` : '';
  const fallback = r.fallback ? `; fell back: ${r.fallback}` : '';
  if (r.settings === 'defaults')
    return {
      title,
      ok: false,
      detail: `the agent used default providers (${used}): ${r.reason || 'it gave no reason'}${callType}`,
      fix: defaultsFix(e164, r.reason ?? ''),
    };
  if (r.number && r.number !== e164)
    return { title, ok: false, detail: `the agent loaded ${r.number}'s settings, not ${e164}'s (${used})`, fix: 'the agent must look the row up by sip.trunkPhoneNumber, the called number' };
  const wanted = row ? rowProviders(row) : {};
  const differs = (['stt', 'llm', 'tts'] as const).filter((k) => wanted[k] && r[k] && !sameProvider(r[k]!, wanted[k]!));
  if (differs.length)
    return {
      title,
      ok: false,
      detail: `the agent loaded ${r.number || e164}'s settings but runs ${differs.map((k) => `${k} ${r[k]} where the row names ${wanted[k]}`).join('; ')}${fallback}`,
      fix: r.fallback ? 'the named provider failed at start: check its key and model (the agent log says why)' : 'the agent must start the providers the row names',
    };
  return { title, ok: true, detail: `agent loaded ${r.number || e164}'s settings (${used})${callType}${fallback}` };
}

function defaultsFix(e164: string, reason: string): string {
  if (/inactive/.test(reason)) return `the row for ${e164} is inactive: set its status to active (rerun with --status active)`;
  if (/no row/.test(reason)) return `add the row for ${e164}: rerun the setup for this number`;
  if (/table missing/.test(reason)) return 'create the tables: paste `sql --schema` into Supabase → SQL Editor';
  if (/hidden/.test(reason)) return 'the dispatch rule hides phone numbers (hidePhoneNumber): turn it off so the agent sees the called number';
  return 'check that the agent reaches Supabase (SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY in its .env)';
}

function greetingStep(r: AgentReport, reachedAt: number | undefined): CallStep {
  const title = 'Agent greeted the caller';
  if (!r.greeting && !r.greetingAt) return { title, ok: false, detail: 'the agent reported no greeting', fix: 'greet at once with session.say(…) and set inbound.greeting / inbound.greeting_at' };
  // Two clocks (the agent's, the server's): a gap that is not positive says nothing, so it is left out.
  const gap = r.greetingAt && reachedAt ? r.greetingAt - reachedAt : 0;
  const when = gap > 0 ? ` ${elapsed(gap)} after the call reached LiveKit` : '';
  return { title, ok: true, detail: `greeted${when}${r.greeting ? `: "${clip(r.greeting, 60)}"` : ''}` };
}

function interactionStep(p: ProofInput): CallStep | undefined {
  const title = INTERACTIONS_STEP;
  const i = p.interaction;
  if (i) {
    const cost = i.costUsd !== undefined ? `, $${i.costUsd.toFixed(i.costUsd < 0.01 ? 4 : 2)}` : '';
    const type = i.callType ? `, ${i.callType}` : '';
    return { title, ok: true, detail: `interaction logged: ${i.turns} turn${i.turns === 1 ? '' : 's'}${cost}${type}` };
  }
  if (p.interactionState === 'no-table') return { title, ok: false, skipped: true, detail: 'no interactions table' };
  if (p.interactionState === 'not-found')
    return p.report
      ? { title, ok: false, detail: 'the agent wrote no interactions row for the call', fix: 'the agent logs the call when the caller hangs up: its log says why the write failed' }
      : { title, ok: false, skipped: true, detail: 'no interactions row for the call' };
  return undefined;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
