// Routing a number to LiveKit SIP on SignalWire: read the number and our script, plan the changes old → new (none when
// it already runs our SWML), judge it for `check`, and undo it on `remove`.
import { ServiceError } from '../../errors.js';
import { listingIsOld } from '../../timing.js';
import type { Change } from '../../changes.js';
import { spaceOf, type SignalWireConn } from './http.js';
import { describeHandler, findNumber, pointNumber, runsUrl, safeUrl, type NumberInfo } from './numbers.js';
import { deleteScript, ensureScript, listScripts, readScript, sameSwml, scriptNameFor, toScript, updateScript, type HostedScript, type SwmlTarget, type WireScript } from './swml-scripts.js';

export interface SignalWireState {
  number: NumberInfo;
  /** Our hosted script for this number, when the target is hosted and one exists. */
  script?: HostedScript;
  /** When the scripts were listed (Date.now()): creating looks again only after an older listing. */
  readAt?: number;
  /** Every script of the space as that same listing gave it, for the other numbers' scripts (observeSiblingScripts). */
  listed?: readonly WireScript[];
}

export async function observeSignalWire(conn: SignalWireConn, e164: string, target: SwmlTarget): Promise<SignalWireState> {
  if (target.kind !== 'hosted') return { number: await findNumber(conn, e164) };
  // The number and the scripts do not depend on each other: read both at once.
  const [found, listed] = await Promise.allSettled([findNumber(conn, e164), listScripts(conn)]);
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
      ? await readScript(conn, row.id!)
      : row;
  return { number, script: toScript(full) ?? toScript(row)!, readAt, listed: rows };
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
        await deleteScript(conn, id, name);
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
