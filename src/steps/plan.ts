// The plan: desired state vs what exists, as one list of changes (.env, LiveKit, SignalWire, database).
import { parse } from 'dotenv';
import { describeEnvChanges, mergeEnv } from '../render/env.js';
import { swmlTargetFor } from '../swml-target.js';
import { orderForLogin, type Change } from '../plan.js';
import { NUMBER_KEYS, SETTINGS, type Setting, type SettingKey, type Values } from '../settings.js';
import { livekitConn } from './livekit.js';
import { set, type Session } from './session.js';
import { confirm } from './ask.js';
import { spin } from './spin.js';

export interface Planned {
  changes: Change[];
  /** The merged .env text, written by the .env change. */
  envText: string;
}

export async function buildPlan(s: Session): Promise<Planned> {
  const changes: Change[] = [];
  // LiveKit is read first: the trunk's digest login, when .env lacks one, is what .env and the SWML must carry.
  const livekit = await livekitChanges(s);
  const env = envChange(s);
  if (env.change) changes.push(env.change);
  changes.push(...livekit);
  changes.push(...(await signalwireChanges(s)));
  changes.push(...(await databaseChanges(s)));
  return { changes: orderForLogin(changes), envText: env.text };
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
  // --no-sip-auth: a login left in .env would still go into the SWML; empty it.
  if (s.ctx.options['no-sip-auth'])
    for (const key of ['LIVEKIT_SIP_USERNAME', 'LIVEKIT_SIP_PASSWORD']) if (inFile[key]) updates[key] = '';
  return updates;
}

function envChange(s: Session): { change?: Change; text: string } {
  const { text, diff } = mergeEnv(s.ctx.envFileText, envUpdates(s), { file: s.ctx.envFile });
  if (!diff.added.length && !diff.updated.length) return { text };
  // Old → new per key so the plan can be proof-read; secrets (by their name or an alias) masked.
  const secret = new Set((SETTINGS as readonly Setting[]).filter((d) => d.secret).flatMap((d) => [d.key, ...(d.aliases ?? [])]));
  return {
    text,
    change: {
      target: 'env',
      summary: `${s.ctx.envFile}: ${describeEnvChanges(diff, (k) => secret.has(k))}`,
      apply: async () => {
        const { writeEnvFile } = await import('../services/env-file.js');
        writeEnvFile(s.ctx.envFile, text);
      },
    },
  };
}

export function livekitDesired(s: Session) {
  const v = s.values;
  return {
    number: v.PHONE_NUMBER!,
    trunkName: v.LIVEKIT_SIP_TRUNK_NAME ?? 'create-sip-inbound',
    ruleName: v.LIVEKIT_SIP_RULE_NAME ?? 'create-sip-inbound',
    agentName: v.AGENT_NAME ?? '',
    auth: v.LIVEKIT_SIP_USERNAME && v.LIVEKIT_SIP_PASSWORD ? { username: v.LIVEKIT_SIP_USERNAME, password: v.LIVEKIT_SIP_PASSWORD } : null,
  };
}

async function livekitChanges(s: Session): Promise<Change[]> {
  const { generateSipAuth, observeLiveKit, planLiveKit } = await import('../services/livekit.js');
  const state = await spin(s, 'Reading LiveKit…', () => observeLiveKit(livekitConn(s), livekitDesired(s)), { quiet: true });
  if (!s.ctx.options['no-sip-auth'] && !(s.values.LIVEKIT_SIP_USERNAME && s.values.LIVEKIT_SIP_PASSWORD)) {
    // Keep the login the trunk already has (SWML out there carries it); otherwise make a new one.
    const t = state.trunk;
    const auth = t?.authUsername && t.authPassword ? { username: t.authUsername, password: t.authPassword } : generateSipAuth();
    const origin = t?.authUsername && t.authPassword ? 'live' : 'generated';
    set(s, 'LIVEKIT_SIP_USERNAME', auth.username, origin);
    set(s, 'LIVEKIT_SIP_PASSWORD', auth.password, origin);
  }
  const desired = livekitDesired(s);
  if (state.foreignTrunk && !s.useForeignTrunk && s.prompts) {
    const t = state.foreignTrunk;
    s.useForeignTrunk = await confirm(
      `${desired.number} is already on the LiveKit trunk "${t.name || t.sipTrunkId}", which this tool did not create. ` +
        'Use that trunk (its other numbers and settings stay as they are)?',
      false,
    );
  }
  return planLiveKit(livekitConn(s), desired, state, { useForeignTrunk: s.useForeignTrunk });
}

async function signalwireChanges(s: Session): Promise<Change[]> {
  const { observeSignalWire, planSignalWire, signalWireConn } = await import('../services/signalwire.js');
  const conn = signalWireConn(s.values);
  if (!conn) return [];
  const target = swmlTargetFor(s.values);
  const state = await spin(s, 'Reading SignalWire…', () => observeSignalWire(conn, s.values.PHONE_NUMBER!, target), { quiet: true });
  return [...planSignalWire(conn, s.values.PHONE_NUMBER!, target, state), ...(await siblingScriptChanges(s))];
}

/**
 * The trunk's SIP login is shared by every number on it: our SWML scripts for its other numbers are brought to
 * the current SWML too, so a new password reaches every number's calls, not only this one's.
 */
async function siblingScriptChanges(s: Session): Promise<Change[]> {
  const { observeSiblingScripts, planSiblingScripts, signalWireConn } = await import('../services/signalwire.js');
  const { DEFAULT_NAME, listTrunkNumbers } = await import('../services/livekit.js');
  const { normalizeNumber } = await import('../services/sip-number.js');
  const conn = signalWireConn(s.values);
  const target = swmlTargetFor(s.values);
  if (!conn || target.kind !== 'hosted') return [];
  const held = await listTrunkNumbers(livekitConn(s), s.values.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME);
  const others = [...new Set(held.map(normalizeNumber))].filter((n) => n !== s.values.PHONE_NUMBER);
  const siblings = await spin(s, 'Reading SignalWire…', () => observeSiblingScripts(conn, others), { quiet: true });
  return planSiblingScripts(conn, target, siblings);
}

async function databaseChanges(s: Session): Promise<Change[]> {
  if (s.ctx.options['no-db']) return [];
  const { planNumberRow, readNumberRow, supabaseConn } = await import('../services/supabase.js');
  const conn = supabaseConn(s.values)!;
  const row = await spin(s, 'Reading the database…', () => readNumberRow(conn, s.values.PHONE_NUMBER!), { quiet: true });
  // A default fills a new row or an empty column; it never replaces what the row holds.
  const { given, defaults } = numberValues(s);
  return planNumberRow(conn, given, row, defaults);
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
