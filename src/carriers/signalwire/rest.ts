// The only code that talks to SignalWire: its REST API over plain fetch with HTTP Basic
// `project_id:api_token`. Routes and shapes follow SignalWire's published API specs
// (github.com/signalwire/docs, specs/signalwire-rest/):
//   relay-rest/phone-numbers  GET /api/relay/rest/phone_numbers?filter_number=… → { data, links }
//                             PUT /api/relay/rest/phone_numbers/{id} → the number
//   fabric-api/swml-scripts   GET|POST /api/fabric/resources/swml_scripts, PUT …/swml_scripts/{id}
//                             (create takes `name`, update takes `display_name`; items carry
//                             `display_name` and `swml_script: { request_url, contents }`)
// Scopes: phone numbers need the token's Numbers scope; SWML scripts need Voice (or Messaging, Fax, Video).
import { settingName } from '../../setting-names.js';
import { ServiceError, UsageError } from '../../errors.js';
import type { Change } from '../../changes.js';
import { redact, redactLine } from '../../redact.js';
import { listingIsOld, SIGNALWIRE_TIMEOUT_MS, seconds } from '../../timing.js';
import type { Values } from '../../settings.js';

export interface SignalWireConn {
  /** The space, e.g. https://example.signalwire.com (a bare host is read as https). */
  spaceUrl: string;
  projectId: string;
  apiToken: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

export interface NumberInfo {
  id: string;
  number: string;
  name: string | null;
  /** call_handler, e.g. relay_script, laml_webhooks; null when none is set. */
  callHandler: string | null;
  /** call_relay_script_url: where the SWML comes from when callHandler is relay_script. */
  scriptUrl: string | null;
  /** call_request_url: the LaML (cXML) webhook when callHandler is laml_webhooks. */
  requestUrl: string | null;
  /** What any other handler points at (application, topic, resource id), for display only. */
  handlerRef: string | null;
}

export type SwmlTarget =
  | { kind: 'hosted'; /** the SWML document's JSON text */ swml: string }
  | { kind: 'url'; /** API_BASE_URL + /api/swml-inbound */ url: string };

export interface HostedScript {
  id: string;
  name: string;
  /** The script's SWML as JSON text (SignalWire may hand it back as text or as an object). */
  contents: string;
  requestUrl: string;
}

export interface SignalWireState {
  number: NumberInfo;
  /** Our hosted script for this number, when the target is hosted and one exists. */
  script?: HostedScript;
  /** When the scripts were listed (Date.now()): creating looks again only after an older listing. */
  readAt?: number;
  /** Every script of the space as that same listing gave it, for the other numbers' scripts (observeSiblingScripts). */
  listed?: readonly WireScript[];
}

const MAX_PAGES = 50;
const PHONE_NUMBERS = '/api/relay/rest/phone_numbers';
const SWML_SCRIPTS = '/api/fabric/resources/swml_scripts';
const VERIFIED_CALLER_IDS = '/api/relay/rest/verified_caller_ids';
const CALLS = '/api/calling/calls';
const VOICE_LOGS = '/api/voice/logs';

/** The connection from resolved settings; undefined unless all three SignalWire settings are given. */
export function signalWireConn(values: Values, timeoutMs?: number): SignalWireConn | undefined {
  const { SIGNALWIRE_SPACE_URL: spaceUrl, SIGNALWIRE_PROJECT_ID: projectId, SIGNALWIRE_API_TOKEN: apiToken } = values;
  if (!spaceUrl || !projectId || !apiToken) return undefined;
  return timeoutMs === undefined ? { spaceUrl, projectId, apiToken } : { spaceUrl, projectId, apiToken, timeoutMs };
}

/** One script per number, found again on a rerun by this name. */
export function scriptNameFor(e164: string): string {
  return `create-sip-inbound ${e164}`;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Checks the credentials and finds the number in the space; a missing number is a UsageError. */
export async function findNumber(conn: SignalWireConn, e164: string): Promise<NumberInfo> {
  const rows = await listAll<WireNumber>(conn, {
    method: 'GET',
    // encodeURIComponent: a bare "+" in a query string reads as a space.
    path: `${PHONE_NUMBERS}?filter_number=${encodeURIComponent(e164)}`,
    what: 'list phone numbers',
    scope: 'Numbers',
    checksCredentials: true,
  });
  // filter_number matches substrings; only the exact number will do.
  const row = rows.find((r) => r.number === e164);
  if (!row) throw new NumberNotInSpaceError(e164, spaceOf(conn));
  return toNumberInfo(row);
}

export async function observeSignalWire(conn: SignalWireConn, e164: string, target: SwmlTarget): Promise<SignalWireState> {
  if (target.kind !== 'hosted') return { number: await findNumber(conn, e164) };
  // The number and the scripts do not depend on each other: read both at once.
  const [found, listed] = await Promise.allSettled([
    findNumber(conn, e164),
    listAll<WireScript>(conn, { method: 'GET', path: SWML_SCRIPTS, what: 'list SWML scripts', scope: 'Voice' }),
  ]);
  // The number's failure first: it also proves the credentials (the scripts need the Voice scope on top).
  if (found.status === 'rejected') throw found.reason;
  if (listed.status === 'rejected') throw listed.reason;
  const number = found.value;
  const rows = listed.value;
  const name = scriptNameFor(e164);
  const ours = rows.filter((r) => toScript(r)?.name === name);
  // Several with our name (made by hand, say): prefer the one the number already runs.
  const row = ours.find((r) => runsUrl(number, toScript(r)!.requestUrl)) ?? ours[0];
  const readAt = Date.now();
  if (!row) return { number, readAt, listed: rows };
  // The list carries each script's contents; should it ever leave them out, read the one script.
  const full =
    row.swml_script?.contents === undefined
      ? await call<WireScript>(conn, { method: 'GET', path: `${SWML_SCRIPTS}/${encodeURIComponent(row.id!)}`, what: 'read the SWML script', scope: 'Voice' })
      : row;
  return { number, script: toScript(full) ?? toScript(row)!, readAt, listed: rows };
}

/** Every number of the space (the test call dials ours from another one). */
export async function listNumbers(conn: SignalWireConn): Promise<NumberInfo[]> {
  const rows = await listAll<WireNumber>(conn, { method: 'GET', path: PHONE_NUMBERS, what: 'list phone numbers', scope: 'Numbers', checksCredentials: true });
  return rows.map(toNumberInfo);
}

/** The verified caller IDs of the space (only those verified): a trial space may call these and its own numbers. */
export async function listVerifiedNumbers(conn: SignalWireConn): Promise<string[]> {
  const rows = await listAll<{ number?: string; verified?: boolean }>(conn, { method: 'GET', path: VERIFIED_CALLER_IDS, what: 'list verified caller IDs', scope: 'Voice' });
  return rows.filter((r) => r.verified && typeof r.number === 'string').map((r) => r.number!);
}

// ---------------------------------------------------------------------------------------------
// Calling (signalwire/docs specs/signalwire-rest/calling-api/calls: one POST endpoint, a `command` each)

export interface DialParams {
  /** A number of the space, or a verified caller ID. */
  from: string;
  /** E.164, or a SIP URI (then `username`/`password` answer its digest challenge). */
  to: string;
  /** The SWML the placed call runs once answered (an object: the current spec's SWMLObject). */
  swml: object;
  username?: string;
  password?: string;
  /** Ring timeout in seconds (1-600). */
  timeoutSec?: number;
}

export interface PlacedCall {
  id: string;
  status: string | null;
  from: string;
  to: string;
}

/** Places a call; SignalWire answers at once (status queued) and the call proceeds on its own. */
export async function dialCall(conn: SignalWireConn, p: DialParams): Promise<PlacedCall> {
  const params: Record<string, unknown> = { from: p.from, to: p.to, swml: p.swml };
  if (p.username) params.username = p.username;
  if (p.password) params.password = p.password;
  if (p.timeoutSec) params.timeout = p.timeoutSec;
  const body = await call<WireCall>(conn, { method: 'POST', path: CALLS, body: { command: 'dial', params }, what: `place a call from ${p.from}`, scope: 'Voice', secrets: [p.password] });
  if (!body || typeof body.id !== 'string') throw new ServiceError('SignalWire', `SignalWire answered the call request without a call id: look for it under SignalWire → Logs → Voice and end it there`);
  return { id: body.id, status: body.status ?? null, from: body.from ?? p.from, to: body.to ?? p.to };
}

/** Hangs the call up (`calling.end`); a call that already ended is fine. */
export async function endCall(conn: SignalWireConn, id: string): Promise<void> {
  try {
    await call(conn, { method: 'POST', path: CALLS, body: { command: 'calling.end', id, params: { reason: 'hangup' } }, what: 'end the test call', scope: 'Voice' });
  } catch (err) {
    // 404/422: SignalWire no longer knows it as a live call, so there is nothing left to end.
    if (err instanceof ServiceError && /\((404|422)\b/.test(err.message)) return;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Voice logs (specs/signalwire-rest/voice-api/logs): a log per call leg, its events carry the detail.

export interface VoiceLog {
  id: string;
  from: string;
  to: string;
  /** relay_pstn_call, relay_sip_call, laml_call, … */
  type: string | null;
  direction: string | null;
  /** queued, ringing, answered, in-progress, completed, busy, failed, no-answer, canceled, ended, … */
  status: string | null;
  durationSec: number | null;
  charge: number | null;
  parentId: string | null;
  createdAt: string | null;
}

export interface VoiceLogEvent {
  at: string | null;
  level: string | null;
  name: string;
  details: Record<string, unknown>;
}

/**
 * The logs created since `since`. created_after is sent as a full timestamp, so a busy day's earlier logs do not
 * crowd out the call's; the spec types it as a date, so a 422 on the timestamp retries with the day (older
 * logs of that day are then dropped here).
 */
export async function listVoiceLogs(conn: SignalWireConn, since: Date): Promise<VoiceLog[]> {
  const list = (after: string) =>
    listAll<WireLog>(conn, { method: 'GET', path: `${VOICE_LOGS}?created_after=${encodeURIComponent(after)}&page_size=100`, what: 'list voice logs', scope: 'Voice', maxPages: 5 });
  const rows = await list(since.toISOString()).catch((err: unknown) => {
    if (err instanceof ServiceError && /\(422\b/.test(err.message)) return list(since.toISOString().slice(0, 10));
    throw err;
  });
  return rows.map(toVoiceLog).filter((l) => !l.createdAt || Date.parse(l.createdAt) >= since.getTime() - 1000);
}

/** One log; undefined when SignalWire has none under this id (yet). */
export async function getVoiceLog(conn: SignalWireConn, id: string): Promise<VoiceLog | undefined> {
  try {
    return toVoiceLog(await call<WireLog>(conn, { method: 'GET', path: `${VOICE_LOGS}/${encodeURIComponent(id)}`, what: 'read the voice log', scope: 'Voice' }));
  } catch (err) {
    if (err instanceof ServiceError && /\(404\b/.test(err.message)) return undefined;
    throw err;
  }
}

export async function voiceLogEvents(conn: SignalWireConn, id: string): Promise<VoiceLogEvent[]> {
  const body = await call<{ data?: unknown }>(conn, { method: 'GET', path: `${VOICE_LOGS}/${encodeURIComponent(id)}/events`, what: 'read the voice log events', scope: 'Voice' });
  const rows = Array.isArray(body?.data) ? (body.data as WireEvent[]) : [];
  return rows.map((e) => ({
    at: typeof e.event_at === 'string' ? e.event_at : null,
    level: typeof e.level === 'string' ? e.level : null,
    name: typeof e.name === 'string' ? e.name : '',
    details: e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {},
  }));
}

// ---------------------------------------------------------------------------------------------
// Planning

interface Needs {
  createScript: boolean;
  updateScript: boolean;
  pointNumber: boolean;
}

function needsOf(target: SwmlTarget, state: SignalWireState): Needs {
  if (target.kind === 'url')
    return { createScript: false, updateScript: false, pointNumber: !runsUrl(state.number, target.url) };
  const s = state.script;
  return {
    createScript: !s,
    updateScript: !!s && !sameSwml(s.contents, target.swml),
    pointNumber: !s || !runsUrl(state.number, s.requestUrl),
  };
}

/**
 * What the applied changes left on SignalWire, from the answers to the writes themselves: the number as the
 * update returned it, the script as created or updated. `unsure` when an answer did not carry it.
 */
export interface SignalWireWritten {
  number?: NumberInfo;
  script?: HostedScript;
  unsure?: boolean;
}

/** The state after the applied changes, when their answers tell it in full (else undefined: read it again). */
export function stateAfter(before: SignalWireState, written: SignalWireWritten): SignalWireState | undefined {
  if (written.unsure) return undefined;
  const script = written.script ?? before.script;
  return { number: written.number ?? before.number, ...(script ? { script } : {}) };
}

/**
 * What must change on SignalWire; nothing when the number already runs our SWML (zero writes). `written`
 * collects what the writes answered, so a check after the apply need not read SignalWire again.
 */
export function planSignalWire(
  conn: SignalWireConn,
  e164: string,
  target: SwmlTarget,
  state: SignalWireState,
  written: SignalWireWritten = {},
): Change[] {
  const needs = needsOf(target, state);
  const now = describeHandler(state.number);
  const changes: Change[] = [];

  if (target.kind === 'url') {
    if (needs.pointNumber)
      changes.push({
        target: 'signalwire',
        summary: `SignalWire ${e164}: point at SWML URL ${safeUrl(target.url)} (now: ${now})`,
        apply: async () => note(written, await pointNumber(conn, state.number, target.url)),
      });
    return changes;
  }

  const name = scriptNameFor(e164);
  // The script's URL is known only once it exists: the create step hands it to the point step.
  let requestUrl = state.script?.requestUrl;
  if (needs.createScript)
    changes.push({
      target: 'signalwire',
      summary: `SignalWire: create SWML script "${name}"`,
      apply: async () => {
        written.script = await ensureScript(conn, name, target.swml, state.number, listingIsOld(state.readAt));
        requestUrl = written.script.requestUrl;
      },
    });
  if (needs.updateScript && state.script) {
    const id = state.script.id;
    changes.push({
      target: 'signalwire',
      summary: `SignalWire: update SWML script "${name}" to the current SWML`,
      apply: async () => {
        written.script = await updateScript(conn, id, target.swml);
        requestUrl = written.script.requestUrl;
      },
    });
  }
  if (needs.pointNumber)
    changes.push({
      target: 'signalwire',
      summary: `SignalWire ${e164}: point at SWML script "${name}" (now: ${now})`,
      apply: async () => {
        if (!requestUrl) throw new ServiceError('SignalWire', `SWML script "${name}" has no request URL yet: rerun to finish`);
        note(written, await pointNumber(conn, state.number, requestUrl));
      },
    });
  return changes;
}

function note(written: SignalWireWritten, number: NumberInfo | undefined): void {
  if (number) written.number = number;
  else written.unsure = true;
}

/**
 * Our hosted scripts for other numbers of the trunk (found by the name scriptNameFor gives them), from the
 * listing the number's state already holds, else read with one list. The SIP login lives on the trunk, shared
 * by every number on it: each of their scripts must send it.
 */
export async function observeSiblingScripts(
  conn: SignalWireConn,
  numbers: readonly string[],
  listed?: SignalWireState['listed'],
): Promise<Array<{ e164: string; script: HostedScript }>> {
  if (!numbers.length) return [];
  const byName = new Map(numbers.map((n) => [scriptNameFor(n), n]));
  const rows = listed ?? (await listAll<WireScript>(conn, { method: 'GET', path: SWML_SCRIPTS, what: 'list SWML scripts', scope: 'Voice' }));
  const out: Array<{ e164: string; script: HostedScript }> = [];
  for (const row of rows) {
    const found = toScript(row);
    const e164 = found && byName.get(found.name);
    if (!found || !e164 || out.some((x) => x.e164 === e164)) continue;
    // The list may leave contents out: read the one script rather than rewrite it blindly.
    const full =
      row.swml_script?.contents === undefined
        ? toScript(await call<WireScript>(conn, { method: 'GET', path: `${SWML_SCRIPTS}/${encodeURIComponent(row.id!)}`, what: 'read the SWML script', scope: 'Voice' })) ?? found
        : found;
    out.push({ e164, script: full });
  }
  return out;
}

/** Brings the other numbers' scripts to the current SWML (a new SIP login, say); nothing when they hold it. */
export function planSiblingScripts(conn: SignalWireConn, target: SwmlTarget, siblings: ReadonlyArray<{ e164: string; script: HostedScript }>): Change[] {
  if (target.kind !== 'hosted') return [];
  return siblings
    .filter(({ script }) => !sameSwml(script.contents, target.swml))
    .map(({ e164, script }) => ({
      target: 'signalwire' as const,
      summary: `SignalWire: update SWML script "${scriptNameFor(e164)}" to the current SWML (every number on the trunk sends its SIP login)`,
      apply: async () => {
        await updateScript(conn, script.id, target.swml);
      },
    }));
}

export interface PointsAt {
  /** True when the number runs our SWML: our hosted script with the current contents, or our URL. */
  ok: boolean;
  /** Where the number points now, in words. */
  now: string;
  /** Why not, in one line; absent when ok. */
  problem?: string;
  number: NumberInfo;
}

/** For `check`: does the number run our SWML? Reads only. */
export async function numberPointsAt(conn: SignalWireConn, e164: string, target: SwmlTarget): Promise<PointsAt> {
  return judgePointsAt(conn, e164, target, await observeSignalWire(conn, e164, target));
}

/** Does the number run our SWML, judged over a state already observed (the plan's, or the apply's answers). */
export function judgePointsAt(conn: SignalWireConn, e164: string, target: SwmlTarget, state: SignalWireState): PointsAt {
  const needs = needsOf(target, state);
  const now = describeHandler(state.number);
  const problems: string[] = [];
  const name = scriptNameFor(e164);
  if (target.kind === 'url') {
    if (needs.pointNumber) problems.push(`${e164} runs ${now}, not the SWML URL ${safeUrl(target.url)}`);
  } else {
    if (needs.createScript) problems.push(`there is no SWML script "${name}" in ${spaceOf(conn)}`);
    if (needs.pointNumber) problems.push(`${e164} runs ${now}, not SWML script "${name}"`);
    if (needs.updateScript) problems.push(`SWML script "${name}" holds other SWML than the current settings give`);
  }
  const result: PointsAt = { ok: problems.length === 0, now, number: state.number };
  if (problems.length) result.problem = `${problems.join('; ')}: rerun the wizard to fix it`;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Creates our script unless one of our name appeared since the plan read SignalWire (another run): when that
 * listing is old (`lookAgain`), it is listed again just before, and one found is reused (its SWML made
 * current). Two runs of one project never create at the same moment: the project lock (.env.lock) serialises them.
 */
async function ensureScript(conn: SignalWireConn, name: string, swml: string, number: NumberInfo, lookAgain: boolean): Promise<HostedScript> {
  const existing = lookAgain ? await scriptsNamed(conn, name) : [];
  if (existing.length) {
    const found = existing.find((s) => runsUrl(number, s.requestUrl)) ?? existing[0]!;
    return sameSwml(found.contents, swml) ? found : updateScript(conn, found.id, swml);
  }
  return createScript(conn, name, swml);
}

/**
 * Our scripts of this name, oldest first: by creation time, and in SignalWire's list order (creation order)
 * where times tie, so every run picks the same first. An id would not do: a run that saw only its own
 * script keeps it, and only creation order agrees with that.
 */
async function scriptsNamed(conn: SignalWireConn, name: string): Promise<HostedScript[]> {
  const rows = await listAll<WireScript>(conn, { method: 'GET', path: SWML_SCRIPTS, what: 'list SWML scripts', scope: 'Voice' });
  const ours = rows.filter((r) => toScript(r)?.name === name);
  const at = (r: WireScript) => (r.created_at ? Date.parse(r.created_at) : Number.NaN);
  // A stable sort: equal or unknown times keep the list's order.
  ours.sort((a, b) => {
    const ta = at(a);
    const tb = at(b);
    return Number.isNaN(ta) || Number.isNaN(tb) ? 0 : ta - tb;
  });
  // The list may leave contents out; treat that as "differs" so the SWML is written rather than assumed.
  return ours.map((r) => toScript(r)!);
}

async function createScript(conn: SignalWireConn, name: string, swml: string): Promise<HostedScript> {
  const body = await call<WireScript>(conn, {
    method: 'POST',
    path: SWML_SCRIPTS,
    body: { name, contents: swml },
    what: `create SWML script "${name}"`,
    scope: 'Voice',
  });
  return scriptFromAnswer(body, 'create');
}

async function updateScript(conn: SignalWireConn, id: string, swml: string): Promise<HostedScript> {
  const body = await call<WireScript>(conn, {
    method: 'PUT',
    path: `${SWML_SCRIPTS}/${encodeURIComponent(id)}`,
    body: { contents: swml },
    what: 'update the SWML script',
    scope: 'Voice',
  });
  return scriptFromAnswer(body, 'update');
}

function scriptFromAnswer(body: WireScript, verb: string): HostedScript {
  const s = toScript(body);
  if (!s) throw new ServiceError('SignalWire', `SignalWire answered the SWML script ${verb} without a request_url: rerun to retry`);
  return s;
}

/** Sets the number's call handler to the SWML at `url`, then checks that SignalWire kept it; the number as answered. */
async function pointNumber(conn: SignalWireConn, number: NumberInfo, url: string): Promise<NumberInfo | undefined> {
  const body = await call<WireNumber>(conn, {
    method: 'PUT',
    path: `${PHONE_NUMBERS}/${encodeURIComponent(number.id)}`,
    body: { call_handler: 'relay_script', call_relay_script_url: url },
    what: `update ${number.number}`,
    scope: 'Numbers',
  });
  const after = body && typeof body === 'object' && typeof body.id === 'string' ? toNumberInfo(body) : undefined;
  if (after && !runsUrl(after, url))
    throw new ServiceError('SignalWire', `SignalWire accepted the update of ${number.number} but it still runs ${describeHandler(after)}`);
  return after;
}

// ---------------------------------------------------------------------------------------------
// Describing

// Handler → its words and the field that says what it points at, from SignalWire's handler list.
const HANDLERS: Record<string, [label: string, field: keyof WireNumber | null]> = {
  relay_script: ['SWML script', 'call_relay_script_url'],
  laml_webhooks: ['LaML webhook', 'call_request_url'],
  laml_application: ['LaML application', 'call_laml_application_id'],
  relay_application: ['RELAY application', 'call_relay_application'],
  relay_topic: ['RELAY topic', 'call_relay_topic'],
  relay_context: ['RELAY context', 'call_relay_context'],
  relay_connector: ['RELAY connector', 'call_relay_connector_id'],
  relay_sip_endpoint: ['SIP endpoint', 'call_sip_endpoint_id'],
  relay_verto_endpoint: ['Verto endpoint', 'call_verto_resource'],
  dialogflow: ['Dialogflow agent', 'call_dialogflow_agent_id'],
  video_room: ['video room', 'call_video_room_id'],
  call_flow: ['Call Flow', 'calling_handler_resource_id'],
  ai_agent: ['AI agent', 'calling_handler_resource_id'],
  fabric_subscriber: ['subscriber', 'calling_handler_resource_id'],
  sip_gateway: ['SIP gateway', 'calling_handler_resource_id'],
  call_queue: ['call queue', 'calling_handler_resource_id'],
};

/** Where the number sends calls now, in words, credentials in URLs masked. */
export function describeHandler(n: NumberInfo): string {
  if (!n.callHandler) return 'no call handler';
  const label = HANDLERS[n.callHandler]?.[0] ?? n.callHandler;
  const ref = n.callHandler === 'relay_script' ? n.scriptUrl : n.callHandler === 'laml_webhooks' ? n.requestUrl : n.handlerRef;
  if (!ref) return label;
  return `${label} ${/^https?:\/\//i.test(ref) ? safeUrl(ref) : ref}`;
}

const SECRET_PARAM = /token|secret|key|pass|sig|auth/i;

/** A URL fit to print: any password in it, and query values that look like credentials, masked. */
export function safeUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return raw.replace(/\/\/([^/@:\s]*):[^/@\s]*@/, '//$1:••••@');
  }
  // URL would percent-encode the mask, so a plain placeholder goes in and the mask replaces it after.
  const hole = 'MASKEDVALUE0';
  if (u.password) u.password = hole;
  for (const [k] of u.searchParams) if (SECRET_PARAM.test(k)) u.searchParams.set(k, hole);
  return u.toString().split(hole).join('••••');
}

// ---------------------------------------------------------------------------------------------
// Comparing

function runsUrl(n: NumberInfo, url: string): boolean {
  return n.callHandler === 'relay_script' && n.scriptUrl === url;
}

/** Same SWML whatever the key order or spacing; SignalWire may store it as an object and reorder keys. */
export function sameSwml(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (typeof v === 'string') {
    try {
      return canonical(JSON.parse(v) as unknown);
    } catch {
      return JSON.stringify(v.trim());
    }
  }
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

// ---------------------------------------------------------------------------------------------
// Wire shapes (only the fields read here)

interface WireNumber {
  id: string;
  number: string;
  name?: string | null;
  call_handler?: string | null;
  call_relay_script_url?: string | null;
  call_request_url?: string | null;
  call_laml_application_id?: string | null;
  call_relay_application?: string | null;
  call_relay_topic?: string | null;
  call_relay_context?: string | null;
  call_relay_connector_id?: string | null;
  call_sip_endpoint_id?: string | null;
  call_verto_resource?: string | null;
  call_dialogflow_agent_id?: string | null;
  call_video_room_id?: string | null;
  calling_handler_resource_id?: string | null;
}

interface WireScript {
  id?: string;
  display_name?: string;
  created_at?: string;
  swml_script?: { request_url?: string; contents?: unknown; display_name?: string };
}

interface WireCall {
  id?: string;
  status?: string | null;
  from?: string;
  to?: string;
}

interface WireLog {
  id: string;
  from?: string;
  to?: string;
  type?: string | null;
  direction?: string | null;
  status?: string | null;
  duration?: number | null;
  charge?: number | null;
  parent_id?: string | null;
  created_at?: string | null;
}

interface WireEvent {
  event_at?: unknown;
  level?: unknown;
  name?: unknown;
  details?: unknown;
}

function toVoiceLog(w: WireLog): VoiceLog {
  return {
    id: w.id,
    from: w.from ?? '',
    to: w.to ?? '',
    type: w.type ?? null,
    direction: w.direction ?? null,
    status: w.status ?? null,
    durationSec: typeof w.duration === 'number' ? w.duration : null,
    charge: typeof w.charge === 'number' ? w.charge : null,
    parentId: w.parent_id ?? null,
    createdAt: w.created_at ?? null,
  };
}

function toNumberInfo(w: WireNumber): NumberInfo {
  const field = w.call_handler ? HANDLERS[w.call_handler]?.[1] : null;
  const ref = field ? w[field] : null;
  return {
    id: w.id,
    number: w.number,
    name: w.name ?? null,
    callHandler: w.call_handler ?? null,
    scriptUrl: w.call_relay_script_url ?? null,
    requestUrl: w.call_request_url ?? null,
    handlerRef: typeof ref === 'string' && ref ? ref : null,
  };
}

function toScript(w: WireScript): HostedScript | undefined {
  const requestUrl = w?.swml_script?.request_url;
  if (!w?.id || !requestUrl) return undefined;
  const contents = w.swml_script?.contents;
  return {
    id: w.id,
    name: w.display_name ?? w.swml_script?.display_name ?? '',
    contents: typeof contents === 'string' ? contents : JSON.stringify(contents ?? null),
    requestUrl,
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

type Scope = 'Numbers' | 'Voice';

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, from the space's origin. */
  path: string;
  body?: unknown;
  /** For messages: "list phone numbers". */
  what: string;
  /** The token scope the route needs. */
  scope: Scope;
  /** The first call: a 401 here means the ID or token is wrong rather than a missing scope. */
  checksCredentials?: boolean;
  /** Values sent in the body that must never reach a message (a SIP password). */
  secrets?: Array<string | undefined>;
  /** For lists: how many pages at most (default 50). */
  maxPages?: number;
}

function originOf(conn: SignalWireConn): string {
  const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(conn.spaceUrl) ? conn.spaceUrl : `https://${conn.spaceUrl}`;
  try {
    return new URL(raw).origin;
  } catch {
    throw new UsageError(`--signalwire-space-url (SIGNALWIRE_SPACE_URL): "${conn.spaceUrl}" is not a URL; e.g. https://example.signalwire.com`);
  }
}

function spaceOf(conn: SignalWireConn): string {
  return new URL(originOf(conn)).host;
}

async function call<T>(conn: SignalWireConn, c: Call): Promise<T> {
  const url = originOf(conn) + c.path;
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${conn.projectId}:${conn.apiToken}`).toString('base64')}`,
    accept: 'application/json',
  };
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, {
      method: c.method,
      headers,
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
      // A redirect would carry the credentials elsewhere and means the space URL is off.
      redirect: 'manual',
      signal: AbortSignal.timeout(conn.timeoutMs ?? SIGNALWIRE_TIMEOUT_MS),
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    throw failure(conn, c, { error });
  }
  const body = parseJson(text);
  if (status >= 200 && status < 300) {
    if (body === undefined && c.method === 'GET')
      throw new ServiceError('SignalWire', `${spaceOf(conn)} did not answer "${c.what}" with JSON: check SIGNALWIRE_SPACE_URL`);
    return body as T;
  }
  throw failure(conn, c, { status, body });
}

/** Follows `links.next` on the same origin only, so the credentials never go anywhere else. */
async function listAll<T>(conn: SignalWireConn, c: Call): Promise<T[]> {
  const out: T[] = [];
  let path: string | undefined = c.path;
  for (let page = 0; path !== undefined && page < (c.maxPages ?? MAX_PAGES); page++) {
    const body: { data?: unknown; links?: { next?: unknown } } | undefined = await call(conn, { ...c, path });
    if (!Array.isArray(body?.data))
      throw new ServiceError('SignalWire', `${spaceOf(conn)} answered "${c.what}" without a data list: check SIGNALWIRE_SPACE_URL`);
    out.push(...(body.data as T[]));
    path = nextPath(conn, body.links?.next);
  }
  return out;
}

function nextPath(conn: SignalWireConn, next: unknown): string | undefined {
  if (typeof next !== 'string' || !next) return undefined;
  const origin = originOf(conn);
  const u = new URL(next, origin);
  return u.origin === origin ? u.pathname + u.search : undefined;
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

type Outcome = { error: unknown } | { status: number; body: unknown };

const [SPACE, PROJECT, TOKEN] = ['SIGNALWIRE_SPACE_URL', 'SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_API_TOKEN'] as const;

/** Every SignalWire failure becomes one line: what failed, where, and the fix; never a secret. */
function failure(conn: SignalWireConn, c: Call, outcome: Outcome): Error {
  const space = spaceOf(conn);
  const secrets = [conn.apiToken, ...(c.secrets ?? [])].filter((x): x is string => Boolean(x));
  const say = (text: string) => redact(text, secrets);

  if ('error' in outcome) {
    const err = outcome.error as { name?: string; cause?: { code?: string } };
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
      const s = seconds(conn.timeoutMs ?? SIGNALWIRE_TIMEOUT_MS);
      return new ServiceError('SignalWire', say(`${space} did not answer "${c.what}" within ${s}: check ${settingName(SPACE)} and the network, then rerun`), { cause: outcome.error, settings: [SPACE] });
    }
    const code = err?.cause?.code ? ` (${err.cause.code})` : '';
    return new ServiceError('SignalWire', say(`Cannot reach SignalWire at ${space}${code}: check ${settingName(SPACE)} (e.g. https://example.signalwire.com) and the network`), { cause: outcome.error, settings: [SPACE] });
  }

  const { status, body } = outcome;
  const enable = (scope: Scope) =>
    `enable the ${scope} scope on the token (SignalWire → API → Tokens → edit the token → scopes), or use a token that has it`;
  if (status === 401 && c.checksCredentials)
    return new UsageError(
      `SignalWire rejected the project ID / API token for ${space}: check ${settingName(PROJECT)} / ${settingName(TOKEN)} (the token also needs the Numbers scope)`,
      { settings: [PROJECT, TOKEN] },
    );
  // SignalWire answers a token without the route's scope with 403, or with 401 on some routes;
  // after the credentials have been accepted once, a 401 can only mean the scope.
  if (status === 403 || status === 401) return new UsageError(`SignalWire refused to ${c.what} in ${space}: the API token lacks the ${c.scope} scope; ${enable(c.scope)}`);
  const detail = detailOf(body);
  // Redacted before it is cut short: a secret cut in half would no longer be recognised.
  const tail = detail ? `: ${redactLine(detail, secrets, 200)}` : '';
  if (status === 402)
    return new ServiceError('SignalWire', `SignalWire refused to ${c.what} in ${space} (402${tail}): the account balance is too low; add funds under SignalWire → Billing, then rerun`);
  const code = JSON.stringify(body ?? '');
  if (status === 422 && c.path === CALLS && /number_not_verified/.test(code))
    return new UsageError(`SignalWire refused to ${c.what} in ${space} (422${tail}): call from a number of the space or a verified caller ID (SignalWire → Phone Numbers → Verified Caller IDs)`);
  if (status === 422 && c.path === CALLS && /not_purchased_or_verified/.test(code))
    return new UsageError(`SignalWire refused to ${c.what} in ${space} (422${tail}): a trial space calls only its own and verified numbers; verify the number (SignalWire → Phone Numbers → Verified Caller IDs) or fund the space`);
  if (status === 404) return new ServiceError('SignalWire', `SignalWire could not ${c.what} in ${space} (404 not found${tail}); rerun to read it again`);
  if (status === 422) return new ServiceError('SignalWire', `SignalWire refused to ${c.what} in ${space} (422${tail})`);
  if (status === 429) return new ServiceError('SignalWire', `SignalWire is rate-limiting requests to ${space} (429): wait a minute and rerun`);
  if (status >= 500) return new ServiceError('SignalWire', `SignalWire failed to ${c.what} in ${space} (${status}${tail}): a problem on SignalWire's side; see status.signalwire.com and rerun`);
  if (status >= 300 && status < 400) return new ServiceError('SignalWire', `${space} answered "${c.what}" with a redirect (${status}): check ${settingName(SPACE)} (e.g. https://example.signalwire.com)`, { settings: [SPACE] });
  return new ServiceError('SignalWire', `SignalWire could not ${c.what} in ${space} (${status}${tail})`);
}

/** SignalWire's error bodies: { errors: [{ message | detail }] } or { error }. */
function detailOf(body: unknown): string {
  const b = body as { errors?: Array<{ message?: unknown; detail?: unknown; attribute?: unknown }>; error?: unknown } | undefined;
  const parts = Array.isArray(b?.errors)
    ? b.errors.map((e) => String(e?.message ?? e?.detail ?? '')).filter(Boolean)
    : typeof b?.error === 'string'
      ? [b.error]
      : [];
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------
// Added for the wizard's choices and `remove`

/** The credentials work but the space holds no such number: the wizard offers to change either, or to skip. */
export class NumberNotInSpaceError extends UsageError {
  constructor(
    readonly e164: string,
    readonly space: string,
  ) {
    super(
      `${e164} is not a number in ${space}: check ${settingName('PHONE_NUMBER')} and ${settingName(SPACE)}, ` +
        'or buy or port the number under SignalWire → Phone Numbers',
    );
    this.name = 'NumberNotInSpaceError';
  }
}

/**
 * For `remove`: delete our hosted SWML script, so the number stops running our SWML. SignalWire's
 * update-phone-number request has no "no handler" value (PhoneNumberCallHandlerRequest lists only real
 * handlers) and keeps no record of what the number ran before, so the handler itself is left for the
 * dashboard; `unpointNote` says so. A number that runs something else is left alone.
 */
export function planUnpointNumber(conn: SignalWireConn, e164: string, state: SignalWireState): Change[] {
  if (!state.script) return [];
  const id = state.script.id;
  const name = scriptNameFor(e164);
  const runs = runsUrl(state.number, state.script.requestUrl);
  return [
    {
      target: 'signalwire',
      summary: `SignalWire: delete SWML script "${name}"${runs ? ` (${e164} runs it now: ${describeHandler(state.number)} → none)` : ''}`,
      apply: async () => {
        await call<unknown>(conn, { method: 'DELETE', path: `${SWML_SCRIPTS}/${encodeURIComponent(id)}`, what: `delete SWML script "${name}"`, scope: 'Voice' });
      },
    },
  ];
}

/** What is left for the person on SignalWire's side after `remove`, or undefined when nothing is. */
export function unpointNote(e164: string, target: SwmlTarget, state: SignalWireState): string | undefined {
  const n = state.number;
  const ours = target.kind === 'url' ? runsUrl(n, target.url) : !!state.script && runsUrl(n, state.script.requestUrl);
  if (!ours) return undefined;
  return `SignalWire → Phone Numbers → ${e164}: choose what should answer it now (it ran ${describeHandler(n)}; the API cannot clear a handler)`;
}
