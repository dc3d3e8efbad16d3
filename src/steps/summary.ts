// Step 8: the closing lines, and the command that repeats this run without prompts (never with a secret:
// credentials stay in .env, per-number values in the database row).
import { AGENT_COMMANDS } from './agent.js';
import { tool } from '../invocation.js';
import { dashboardLink } from '../dashboard-links.js';
import { rerunCommand } from '../check/rerun.js';
import { carrierOf, withDefaults } from '../config.js';
import { carrierNamed } from '../carriers/index.js';
import { NUMBER_KEYS, setting, type SettingKey, type Values } from '../settings.js';
import { clack, dim, out, yellow } from '../ui.js';
import type { Session } from './session.js';

function pick(v: Values, keys: SettingKey[]): Values {
  return Object.fromEntries(keys.map((k) => [k, v[k]]));
}

function shellQuote(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export function nextTimeCommand(s: Session): string {
  const parts = [`${tool()} --yes`];
  // Defaults fill themselves in again; only what differs from them is worth repeating.
  // (Models default per chosen provider; providers and status to the settings' own defaults.)
  const chosen = { STT_PROVIDER: s.values.STT_PROVIDER, TTS_PROVIDER: s.values.TTS_PROVIDER, LLM_PROVIDER: s.values.LLM_PROVIDER };
  const defaults = { ...withDefaults(chosen), ...pick(withDefaults({}), ['PHONE_STATUS', 'STT_PROVIDER', 'TTS_PROVIDER', 'LLM_PROVIDER']) };
  for (const key of NUMBER_KEYS) {
    const v = s.values[key];
    const def = setting(key);
    // The status stays as the row holds it on a rerun, and adding a number back makes it active: never repeated.
    if (key === 'PHONE_STATUS') continue;
    if (v === undefined || def.secret || s.origin[key] === 'default' || (key !== 'PHONE_NUMBER' && defaults[key] === v)) continue;
    parts.push(`--${def.flag} ${shellQuote(v)}`);
  }
  if (s.ctx.envFile !== '.env') parts.push(`-f ${shellQuote(s.ctx.envFile)}`);
  return parts.join(' ');
}

/** What to do after the setup: start the worker, call the number, and where the logs are. */
export function nextSteps(s: Session): string[] {
  const v = s.values;
  const carrier = carrierNamed(carrierOf(v));
  const file = /^from (.+):\d+$/.exec(s.from.AGENT_NAME ?? '')?.[1];
  const generated = s.agentCreated;
  const start = generated
    ? `${AGENT_COMMANDS.join(', then ')} (the first installs it, the second starts it; see README-agent.md)`
    : file?.endsWith('.py')
    ? `python ${file} dev`
    : file
      ? 'npm run dev (or node on your worker file with the dev argument)'
      : 'python agent.py dev, or your worker\'s own command';
  const cloud = /\.livekit\.cloud(:\d+)?$/i.test(hostOf(v.LIVEKIT_URL));
  const logs = [
    "the worker's own console",
    cloud ? `LiveKit Cloud → Sessions (${dashboardLink('https://cloud.livekit.io/projects/p_/sessions', { liveKitProject: s.liveKitProject })})` : "your LiveKit server's log",
    carrier.callLogs?.where ?? `${carrier.label}'s call logs`,
  ];
  // With --number: a trunk holding several numbers makes check --call / --live ask which one.
  const check = (flag: string) => `${rerunCommand(s.ctx)} ${flag}${v.PHONE_NUMBER ? ` --number ${v.PHONE_NUMBER}` : ''}`;
  const number = v.PHONE_NUMBER ?? 'the number';
  // The test call is offered where the carrier places one and its credentials are given.
  const call = carrier.testCall && carrier.conn(v)
    ? `2. Test the whole path with no phone (${carrier.label} places one short call, billed): ${check('--call')}\n` +
      `     or call ${number} yourself and watch it come through: ${check('--live')}`
    : `2. Call ${number}, or watch a call come through: ${check('--live')}`;
  return [
    `1. Start the agent worker${v.AGENT_NAME ? ` (it must register agent_name "${v.AGENT_NAME}")` : ''}: ${start}`,
    call,
    `3. Logs: ${logs.join('; ')}`,
  ];
}

function hostOf(url: string | undefined): string {
  try {
    return url ? new URL(url).host : '';
  } catch {
    return '';
  }
}

export async function summary(s: Session, headline: string): Promise<void> {
  for (const n of s.notes) out(yellow(`! ${n}`));
  if (!s.ctx.dryRun) out(`\nNext:\n${nextSteps(s).map((l) => `  ${l}`).join('\n')}`);
  out(`\nTo skip the prompts next time: ${nextTimeCommand(s)}`);
  if (s.prompts) (await clack()).outro(headline);
  else out(dim(headline));
}
