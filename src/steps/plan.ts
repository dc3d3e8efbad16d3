// The plan: desired state vs what exists, as one list of changes (.env, LiveKit, SignalWire, database).
import { parse } from 'dotenv';
import { envChangeLines, mergeEnv } from '../render/env.js';
import { describeDisagreements, disagreements } from '../render/env-readers.js';
import { swmlTargetFor } from '../carriers/signalwire/index.js';
import { carrierNamed } from '../carriers/index.js';
import { carrierOf } from '../config.js';
import { orderForLogin, type Change } from '../changes.js';
import { DEFAULT_NAME, NUMBER_KEYS, SETTINGS, setting, type Setting, type SettingKey, type Values } from '../settings.js';
import { carrierCredentialKeys } from './carrier.js';
import { UsageError } from '../errors.js';
import type { Observed } from '../check/run.js';
import type { LiveKitConn, LiveKitLists } from '../services/livekit.js';
import type { SignalWireConn, SignalWireState, SignalWireWritten } from '../carriers/signalwire/index.js';
import type { NumberRow, SupabaseConn } from '../services/supabase.js';
import type { NumberRowChange } from '../services/supabase-row.js';
import type { LiveKitSeen } from './livekit.js';
import type { SignalWireSeen } from './signalwire.js';
import { liveKitLists, numberRow, PLAN_MAX_AGE_MS, signalWireState } from './reads.js';
import type { Session } from './session.js';
import { confirm } from './ask.js';
import { chooseLogin, followTrunkLogin } from './login.js';
import { spin } from './spin.js';

export interface Planned {
  changes: Change[];
  /** Lines the plan shows under its changes: where a value came from (the trunk's SIP login). */
  notes: string[];
  /**
   * Once every change is applied: reads LiveKit back once when the apply changed it (another run may have
   * changed the trunk's login meanwhile: .env and the SWML follow it), and returns what the check may judge
   * without reading again: what the plan read of each service the apply left alone, LiveKit as read back,
   * and what the writes answered (the row read back, the number as updated); a service whose state the apply
   * changed and did not answer in full is left out (read again).
   */
  afterApply(): Promise<Observed>;
}

/** What the steps before the plan established: LiveKit checked, Supabase checked (or --no-db), SignalWire (or none). */
export interface Established {
  livekit: LiveKitSeen;
  supabase: SupabaseConn | undefined;
  signalwire: SignalWireSeen | undefined;
}

export async function buildPlan(s: Session, on: Established): Promise<Planned> {
  const number = s.values.PHONE_NUMBER;
  if (!number) throw new UsageError('No phone number to plan for: give one with --number');
  // Each was read by the step that checked its credentials; one read long ago (slow answers) is read again.
  const fresh = { maxAgeMs: PLAN_MAX_AGE_MS };
  const { supabase: db, signalwire: sw } = on;
  const [lists, row, swState] = await spin(
    s,
    'Reading LiveKit, the database and SignalWire…',
    () =>
      Promise.all([
        liveKitLists(s, on.livekit.conn, fresh),
        db ? numberRow(s, db, number, fresh) : undefined,
        sw ? signalWireState(s, sw.conn, number, s.values.API_BASE_URL ? 'url' : 'hosted', fresh) : undefined,
      ]),
    { quiet: true },
  );

  // LiveKit first: the trunk's digest login is what .env and the SWML must carry.
  const notes: string[] = [];
  const livekit = await livekitChanges(s, on.livekit.conn, lists, notes);
  const env = envChange(s);
  const misread = describeDisagreements(disagreements(s.ctx.envFileText, new Set(Object.keys(envUpdates(s)))), s.ctx.envFile);
  if (misread) notes.push(misread);
  const written: SignalWireWritten = {};
  const { planSignalWire, stateAfter } = await import('../carriers/signalwire/index.js');
  const signalwire = sw && swState ? planSignalWire(sw.conn, number, swmlTargetFor(s.values), swState, written) : [];
  const carrier = await carrierChanges(s, number);
  const siblings = sw ? await siblingScriptChanges(s, sw.conn, lists, swState) : [];
  const database = db ? await databaseChanges(s, db, row) : [];
  const changes = orderForLogin([...(env ? [env] : []), ...livekit, ...signalwire, ...carrier, ...siblings, ...database]);
  const swAfter = () => (!swState ? undefined : signalwire.length ? stateAfter(swState, written) : swState);
  let swFinal = swAfter;

  /** This number's SWML, brought to the login now in the session; says where it went. */
  const resendSwml = async (): Promise<string> => {
    const target = swmlTargetFor(s.values);
    if (target.kind === 'url') return 'the SWML of create-sip-inbound serve (restart it)';
    if (!sw) return 'the SWML below';
    const { observeSignalWire } = await import('../carriers/signalwire/index.js');
    const state = swAfter() ?? (await observeSignalWire(sw.conn, number, target));
    const resent: SignalWireWritten = {};
    for (const c of planSignalWire(sw.conn, number, target, state, resent)) await c.apply();
    swFinal = () => stateAfter(state, resent);
    return 'its SWML script';
  };

  return {
    changes,
    notes,
    afterApply: async () => {
      let lkAfter = livekit.length ? undefined : lists;
      if (livekit.length) {
        const { readLiveKit } = await import('../services/livekit.js');
        // Unread (LiveKit out of reach for a moment): the check reads it again and says what it finds.
        lkAfter = await readLiveKit(on.livekit.conn).catch(() => undefined);
        if (lkAfter) await followTrunkLogin(s, lkAfter, resendSwml);
      }
      return {
        livekit: lkAfter,
        database: !db ? undefined : !database.length ? { row } : database[0]?.written ? { row: database[0].written } : undefined,
        carrier: swFinal(),
      };
    },
  };
}

/** Settings written under every one of their names when the file holds none (the agent may read either). */
const ALL_NAMES_WHEN_NEW = new Set<SettingKey>(['SUPABASE_SERVICE_ROLE_KEY']);

/**
 * What goes into .env: every env-kept setting that is set, except untouched defaults, under the name(s) the
 * file already uses. The Supabase key, in a file that holds neither name, goes under both: Supabase's own
 * SUPABASE_SERVICE_ROLE_KEY and the guide's SUPABASE_SERVICE_KEY, which the guide's agent reads.
 */
export function envUpdates(s: Session): Record<string, string> {
  const inFile = parse(s.ctx.envFileText);
  const updates: Record<string, string> = {};
  for (const def of SETTINGS as readonly Setting[]) {
    const key = def.key as SettingKey;
    const value = s.values[key];
    if (def.store !== 'env' || value === undefined || s.origin[key] === 'default') continue;
    const names = [def.key, ...(def.aliases ?? [])];
    const used = names.filter((n) => n in inFile);
    for (const name of used.length ? used : ALL_NAMES_WHEN_NEW.has(key) ? names : [def.key]) updates[name] = value;
  }
  // A provider key skipped at its prompt: an empty line, so the next run knows not to ask (number.ts).
  for (const key of s.skipped) if (!(key in inFile) && s.values[key] === undefined) updates[key] = '';
  // --no-sip-auth: a login left in .env would still go into the SWML; empty it.
  if (s.ctx.options['no-sip-auth'])
    for (const key of ['LIVEKIT_SIP_USERNAME', 'LIVEKIT_SIP_PASSWORD']) if (inFile[key]) updates[key] = '';
  return updates;
}

function envChange(s: Session): Change | undefined {
  const { text, diff } = mergeEnv(s.ctx.envFileText, envUpdates(s), { file: s.ctx.envFile });
  if (!diff.added.length && !diff.updated.length) return undefined;
  // Old → new per key so the plan can be proof-read; secrets (by their name or an alias) masked.
  const secret = new Set((SETTINGS as readonly Setting[]).filter((d) => d.secret).flatMap((d) => [d.key, ...(d.aliases ?? [])]));
  const count = (n: number, verb: string) => (n ? `${verb} ${n} setting${n > 1 ? 's' : ''}` : '');
  return {
    target: 'env',
    summary: `${s.ctx.envFile}: ${[count(diff.added.length, 'add'), count(diff.updated.length, 'update')].filter(Boolean).join(', ')}`,
    detail: envChangeLines(diff, (k) => secret.has(k)),
    apply: async () => {
      const { writeEnvFile } = await import('../services/env-file.js');
      writeEnvFile(s.ctx.envFile, text);
    },
  };
}

/** What LiveKit's trunk must accept from the number's carrier: a digest login, or the carrier's addresses. */
function trunkNeeds(s: Session) {
  return carrierNamed(carrierOf(s.values)).trunkNeeds(s.values);
}

export function livekitDesired(s: Session) {
  const v = s.values;
  const needs = trunkNeeds(s);
  if (needs.kind === 'addresses')
    return { number: v.PHONE_NUMBER!, trunkName: v.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME, ruleName: v.LIVEKIT_SIP_RULE_NAME ?? DEFAULT_NAME, agentName: v.AGENT_NAME ?? '', auth: null, allowedAddresses: needs.addresses };
  return {
    number: v.PHONE_NUMBER!,
    trunkName: v.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME,
    ruleName: v.LIVEKIT_SIP_RULE_NAME ?? DEFAULT_NAME,
    agentName: v.AGENT_NAME ?? '',
    auth: v.LIVEKIT_SIP_USERNAME && v.LIVEKIT_SIP_PASSWORD ? { username: v.LIVEKIT_SIP_USERNAME, password: v.LIVEKIT_SIP_PASSWORD } : null,
  };
}

async function livekitChanges(s: Session, conn: LiveKitConn, lists: LiveKitLists, notes: string[]): Promise<Change[]> {
  const [{ judgeLiveKit }, { planLiveKit }] = await Promise.all([import('../services/livekit.js'), import('../services/livekit-changes.js')]);
  const state = judgeLiveKit(lists, livekitDesired(s));
  if (state.foreignTrunk && !s.useForeignTrunk && s.prompts) {
    const t = state.foreignTrunk;
    s.useForeignTrunk = await confirm(
      `${s.values.PHONE_NUMBER} is already on the LiveKit trunk "${t.name || t.sipTrunkId}", which this tool did not create. ` +
        'Use that trunk (its other numbers and settings stay as they are)?',
      false,
    );
  }
  // The trunk that will carry the number: its login is the one every SWML reaching it sends.
  // A carrier admitted by address (no digest login) has no login to choose.
  const note = trunkNeeds(s).kind === 'login' ? await chooseLogin(s, s.useForeignTrunk && state.foreignTrunk ? state.foreignTrunk : state.trunk) : undefined;
  if (note) notes.push(note);
  return planLiveKit(conn, livekitDesired(s), state, { useForeignTrunk: s.useForeignTrunk });
}

/**
 * A carrier other than SignalWire (whose own step reads it above): routed through the carrier seam, old → new, with
 * nothing to change when the number already goes to LiveKit.
 */
async function carrierChanges(s: Session, number: string): Promise<Change[]> {
  const carrier = carrierNamed(carrierOf(s.values));
  if (carrier.id === 'signalwire') return [];
  const conn = carrier.conn(s.values);
  if (!conn) {
    const missing = carrierCredentialKeys(carrier.id).filter((k) => !s.values[k]).map((k) => `--${setting(k).flag} (${k})`);
    throw new UsageError(`The number is on ${carrier.label} (CARRIER=${carrier.id}), and its credentials are missing: ${missing.join(', ')}`);
  }
  const target = carrier.target(s.values);
  const state = await spin(s, `Reading ${carrier.label}…`, () => carrier.observe(conn, number, target), { quiet: true });
  return carrier.plan(conn, number, target, state);
}

/**
 * The trunk's SIP login is shared by every number on it: our SWML scripts for its other numbers are brought to
 * the current SWML too, so a new password reaches every number's calls, not only this one's. The trunk's
 * numbers come from the listing the plan already read, their scripts from the one SignalWire listing.
 */
async function siblingScriptChanges(s: Session, conn: SignalWireConn, lists: LiveKitLists, state: SignalWireState | undefined): Promise<Change[]> {
  const target = swmlTargetFor(s.values);
  if (target.kind !== 'hosted') return [];
  const { observeSiblingScripts, planSiblingScripts } = await import('../carriers/signalwire/index.js');
  const { trunkNumbers } = await import('../services/livekit.js');
  const { normalizeNumber } = await import('../services/sip-number.js');
  const held = trunkNumbers(lists.trunks, s.values.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME);
  const others = [...new Set(held.map(normalizeNumber))].filter((n) => n !== s.values.PHONE_NUMBER);
  // The scripts were listed with the number (one listing for all of them).
  const siblings = await spin(s, 'Reading SignalWire…', () => observeSiblingScripts(conn, others, state?.listed), { quiet: true });
  return planSiblingScripts(conn, target, siblings);
}

async function databaseChanges(s: Session, conn: SupabaseConn, row: NumberRow | undefined): Promise<NumberRowChange[]> {
  const { planNumberRow, planRowCarrier } = await import('../services/supabase-row.js');
  // A default fills a new row or an empty column; it never replaces what the row holds.
  const { given, defaults } = numberValues(s);
  const carrier = carrierOf(s.values);
  // SignalWire's rows stay as they were (no carrier: SignalWire), so an older table without the column still works.
  const recorded = carrier === 'signalwire' ? [] : planRowCarrier(conn, given.PHONE_NUMBER!, carrier, row);
  return [...planNumberRow(conn, given, row, defaults), ...recorded];
}

/**
 * The per-number values, split: given (typed, flags, environment, the row itself) and defaults. The SQL
 * printed under --no-db should be rendered from `given` only, so pasting it never resets a column.
 */
export function numberValues(s: Session): { given: Values; defaults: Values } {
  const given: Values = {};
  const defaults: Values = {};
  for (const key of NUMBER_KEYS) {
    const value = s.values[key];
    if (value !== undefined) (s.origin[key] === 'default' ? defaults : given)[key] = value;
  }
  return { given, defaults };
}
