// Our hosted SWML scripts, one per number (specs/signalwire-rest/fabric-api/swml-scripts):
//   GET|POST /api/fabric/resources/swml_scripts, PUT|DELETE …/swml_scripts/{id} (create takes `name`, update takes
//   `display_name`; items carry `display_name` and `swml_script: { request_url, contents }`).
import { ServiceError } from '../../errors.js';
import type { Change } from '../../changes.js';
import { call, listAll, SWML_SCRIPTS, type SignalWireConn } from './http.js';
import { runsUrl, type NumberInfo } from './numbers.js';

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

/** One script per number, found again on a rerun by this name. */
export function scriptNameFor(e164: string): string {
  return `create-sip-inbound ${e164}`;
}

/** Every script of the space, as listed (the list may leave each one's contents out). */
export async function listScripts(conn: SignalWireConn): Promise<WireScript[]> {
  return listAll<WireScript>(conn, { method: 'GET', path: SWML_SCRIPTS, what: 'list SWML scripts', scope: 'Voice' });
}

/** One script read alone, for when the list left its contents out. */
export async function readScript(conn: SignalWireConn, id: string): Promise<WireScript> {
  return call<WireScript>(conn, { method: 'GET', path: `${SWML_SCRIPTS}/${encodeURIComponent(id)}`, what: 'read the SWML script', scope: 'Voice' });
}

export async function deleteScript(conn: SignalWireConn, id: string, name: string): Promise<void> {
  await call<unknown>(conn, { method: 'DELETE', path: `${SWML_SCRIPTS}/${encodeURIComponent(id)}`, what: `delete SWML script "${name}"`, scope: 'Voice' });
}

/**
 * Our hosted scripts for other numbers of the trunk (found by the name scriptNameFor gives them), from the
 * listing the number's state already holds, else read with one list. The SIP login lives on the trunk, shared
 * by every number on it: each of their scripts must send it.
 */
export async function observeSiblingScripts(
  conn: SignalWireConn,
  numbers: readonly string[],
  listed?: readonly WireScript[],
): Promise<Array<{ e164: string; script: HostedScript }>> {
  if (!numbers.length) return [];
  const byName = new Map(numbers.map((n) => [scriptNameFor(n), n]));
  const rows = listed ?? (await listScripts(conn));
  const out: Array<{ e164: string; script: HostedScript }> = [];
  for (const row of rows) {
    const found = toScript(row);
    const e164 = found && byName.get(found.name);
    if (!found || !e164 || out.some((x) => x.e164 === e164)) continue;
    // The list may leave contents out: read the one script rather than rewrite it blindly.
    const full =
      row.swml_script?.contents === undefined
        ? toScript(await readScript(conn, row.id!)) ?? found
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

/**
 * Creates our script unless one of our name appeared since the plan read SignalWire (another run): when that
 * listing is old (`lookAgain`), it is listed again just before, and one found is reused (its SWML made
 * current). Two runs of one project never create at the same moment: the project lock (.env.lock) serialises them.
 */
export async function ensureScript(conn: SignalWireConn, name: string, swml: string, number: NumberInfo, lookAgain: boolean): Promise<HostedScript> {
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
  const rows = await listScripts(conn);
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

export async function updateScript(conn: SignalWireConn, id: string, swml: string): Promise<HostedScript> {
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

export interface WireScript {
  id?: string;
  display_name?: string;
  created_at?: string;
  swml_script?: { request_url?: string; contents?: unknown; display_name?: string };
}

export function toScript(w: WireScript): HostedScript | undefined {
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
