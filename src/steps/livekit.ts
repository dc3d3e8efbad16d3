// Step 1: LiveKit. A project from the LiveKit CLI's config fills URL, key, secret and SIP domain; whatever
// is typed instead is checked live before going on. Then the SIP domain and the agent name the worker
// registers (prefilled from the agent's own source when it names one).
import type { LiveKitConn, LiveKitLists } from '../services/livekit.js';
import { askText, askVerified, say, select } from './ask.js';
import { liveKitLists } from './reads.js';
import { set, wants, type Session } from './session.js';
import { spin } from './spin.js';

export function livekitConn(s: Session) {
  return { url: s.values.LIVEKIT_URL!, apiKey: s.values.LIVEKIT_API_KEY!, apiSecret: s.values.LIVEKIT_API_SECRET! };
}

/** What the LiveKit step established: credentials LiveKit accepted, and the trunks and rules it listed. */
export interface LiveKitSeen {
  conn: LiveKitConn;
  lists: LiveKitLists;
}

export async function askLiveKit(s: Session): Promise<LiveKitSeen> {
  await offerLkProjects(s);
  await askVerified(
    s,
    ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'],
    // The key check is the listing the plan needs anyway.
    async () => void (await spin(s, 'Checking the LiveKit key…', () => liveKitLists(s, livekitConn(s)))),
  );
  const conn = livekitConn(s);
  const seen = { conn, lists: await liveKitLists(s, conn) };

  if (wants(s, 'LIVEKIT_SIP_DOMAIN')) await askText(s, 'LIVEKIT_SIP_DOMAIN');
  const askAgent = wants(s, 'AGENT_NAME');
  await prefillAgentName(s, askAgent);
  if (askAgent) await askText(s, 'AGENT_NAME');

  if (s.ctx.options['no-sip-auth']) {
    set(s, 'LIVEKIT_SIP_USERNAME', undefined, 'flag');
    set(s, 'LIVEKIT_SIP_PASSWORD', undefined, 'flag');
    s.notes.push('SIP digest auth is off (--no-sip-auth): anyone who knows the SIP URI and the number can reach the agent.');
  }
  return seen;
}

/**
 * With prompts and LiveKit not yet given (or under review): the LiveKit CLI's projects as a choice. A
 * pick fills URL, key, secret and (LiveKit Cloud) the SIP domain, each then shown for confirmation.
 * Without prompts, the CLI already filled them from default_project (cli.ts), below flags, env and .env.
 */
async function offerLkProjects(s: Session): Promise<void> {
  if (!s.prompts || s.ctx.yes) return;
  const v = s.values;
  const given = v.LIVEKIT_URL && v.LIVEKIT_API_KEY && v.LIVEKIT_API_SECRET;
  if (given && !s.review.has('livekit')) return;
  const { readLkConfig, valuesOf } = await import('../services/lk-config.js');
  const { config, warning } = await readLkConfig();
  if (warning) await say('warn', warning);
  if (!config?.projects.length) return;
  const SELF = '\0self';
  const options = config.projects.map((p) => ({ value: p.name, label: p.name, hint: p.url }));
  const initial = config.projects.some((p) => p.url === v.LIVEKIT_URL)
    ? config.projects.find((p) => p.url === v.LIVEKIT_URL)!.name
    : (config.defaultProject ?? options[0]!.value);
  const picked = await select(
    `LiveKit project (from ${config.path})`,
    [...options, { value: SELF, label: given ? 'Keep the current values' : 'Enter them myself' }],
    initial,
  );
  if (picked === SELF) return;
  const project = config.projects.find((p) => p.name === picked)!;
  if (project.projectId) s.liveKitProject = project.projectId;
  const from = `from lk config project \`${project.name}\``;
  for (const [key, value] of Object.entries(valuesOf(project)) as Array<[keyof Session['from'], string]>) {
    set(s, key, value, 'lk-config');
    s.from[key] = from;
  }
  // Each value is shown once, prefilled, for the person to confirm (the secret is never shown).
  s.review.add('livekit');
}

/**
 * AGENT_NAME from the agent's source: with prompts it prefills the question; without, it is taken when
 * exactly one name is found (several: the person must say which, so nothing is guessed).
 */
async function prefillAgentName(s: Session, willAsk: boolean): Promise<void> {
  if (s.values.AGENT_NAME || (s.prompts && !willAsk)) return;
  const { distinctNames, findAgentNames, whereFound } = await import('../agent-name.js');
  const found = findAgentNames(process.cwd());
  const names = distinctNames(found);
  if (!names.length) return;
  const first = found[0]!;
  if (names.length > 1) {
    const list = names.map((n) => `"${n}" (${whereFound(found.find((f) => f.name === n)!).replace(/^from /, '')})`).join(', ');
    if (!s.prompts) {
      s.notes.push(`The agent's source names several agent_name values (${list}): give the one this number's worker registers with --agent-name.`);
      return;
    }
    await say('info', `Agent names found in your source: ${list}`);
  }
  set(s, 'AGENT_NAME', first.name, 'source-file');
  s.from.AGENT_NAME = whereFound(first);
  if (!s.prompts) s.notes.push(`AGENT_NAME ${first.name} ${whereFound(first)}: the dispatch rule names it.`);
}
