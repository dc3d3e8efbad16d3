// The wizard's working state, passed from step to step. Nothing here touches the world.
import type { Context } from '../context.js';
import { requiredFor, type Source } from '../config.js';
import { rememberSecret } from '../redact.js';
import { forgetGiven, noteGiven, noteOne } from '../setting-names.js';
import { setting, type Group, type SettingKey, type Values } from '../settings.js';

/** lk-config: the LiveKit CLI's project file; source-file: found in the agent's own source. */
export type Origin = Source | 'prompt' | 'generated' | 'lk-config' | 'source-file';
export type Mode = 'first' | 'update' | 'add' | 'credentials';

export interface Session {
  ctx: Context;
  values: Values;
  origin: Partial<Record<SettingKey, Origin>>;
  /** Prompts may be shown (a terminal, no --no-interactive, no CI, no --json). */
  prompts: boolean;
  mode: Mode;
  /** Setting groups whose present values are shown again for review (prefilled). */
  review: Set<Group>;
  /** The person agreed to reuse a trunk we did not create that already holds the number. */
  useForeignTrunk: boolean;
  /** The starter agent was created by this run: the next steps install and start it. */
  agentCreated?: boolean;
  /** Lines for the closing summary: warnings and what to do next. */
  notes: string[];
  /** Provider keys left empty at their prompt: written empty to .env (KEY=), so a rerun does not ask again. */
  skipped: Set<SettingKey>;
  /** LiveKit Cloud's project id (p_…), when the LiveKit CLI's config named it: dashboard links open that project. */
  liveKitProject?: string;
  /** Where values that nobody typed came from, by key: "from lk config project `my-app`", "from agent.py:42". */
  from: Partial<Record<SettingKey, string>>;
}

export function createSession(ctx: Context): Session {
  const origin: Session['origin'] = { ...ctx.sources };
  forgetGiven();
  noteGiven(origin, ctx.envFile, ctx.names);
  return {
    ctx,
    values: { ...ctx.values },
    origin,
    prompts: ctx.interactive && !ctx.json,
    mode: 'first',
    review: new Set(),
    useForeignTrunk: false,
    notes: [],
    skipped: new Set(),
    from: { ...ctx.from },
  };
}

export function set(s: Session, key: SettingKey, value: string | undefined, origin: Origin): void {
  if (value === undefined || value === '') {
    delete s.values[key];
    delete s.origin[key];
    noteOne(key, undefined);
    return;
  }
  s.values[key] = value;
  s.origin[key] = origin;
  noteOne(key, origin);
  // Typed, generated or read from a service: from now on no printed line shows it.
  if (setting(key).secret) rememberSecret(value);
}

/** Fills a value from live state (the trunk, the database row) unless the person already gave one. */
export function fillFromLive(s: Session, key: SettingKey, value: string | null | undefined): void {
  const o = s.origin[key];
  if (value && (o === undefined || o === 'default')) set(s, key, value, 'live');
}

/** Whether the setup cannot go on without `key` (its requiredBy; the database's settings unless --no-db). */
export function isRequired(s: Session, key: SettingKey): boolean {
  return requiredFor('setup', { db: !s.ctx.options['no-db'] }).includes(key);
}

/**
 * Whether to ask for `key` now. Missing required values are always asked; missing optional ones on a
 * first run or when their group is under review; present ones only under review, and never with --yes.
 */
export function wants(s: Session, key: SettingKey, required = isRequired(s, key)): boolean {
  if (!s.prompts) return false;
  const present = Boolean(s.values[key]);
  const group = setting(key).group;
  if (!present) return required || (!s.ctx.yes && (s.mode === 'first' || s.review.has(group)));
  return !s.ctx.yes && s.review.has(group);
}
