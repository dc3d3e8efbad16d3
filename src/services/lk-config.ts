// The LiveKit CLI's own config: `lk cloud auth` / `lk project add` keep each project's url, api_key,
// api_secret and project_id in ~/.livekit/cli-config.yaml (livekit-cli pkg/config/config.go: CLIConfig
// { default_project, projects: [{ name, project_id, url, api_key, api_secret }] }, read with yaml.v3).
// lk itself reads only that path; LIVEKIT_CLI_CONFIG is our own override (tests, other homes).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Values } from '../settings.js';
import { check } from '../validate.js';
import { setting } from '../settings.js';

export interface LkProject {
  name: string;
  projectId?: string;
  url: string;
  apiKey: string;
  apiSecret: string;
}

export interface LkConfig {
  path: string;
  defaultProject?: string;
  projects: LkProject[];
}

export function lkConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.LIVEKIT_CLI_CONFIG || join(homedir(), '.livekit', 'cli-config.yaml');
}

/**
 * The projects the file holds (only complete ones: name, a valid url, key and secret). No file → no config;
 * a file that is not the expected YAML → a one-line warning, never an error: the wizard goes on asking.
 */
export async function readLkConfig(env: NodeJS.ProcessEnv = process.env): Promise<{ config?: LkConfig; warning?: string }> {
  const path = lkConfigPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? {} : { warning: `Cannot read the LiveKit CLI config ${path} (${code ?? 'error'}); ignoring it` };
  }
  let doc: unknown;
  try {
    const yaml = await import('yaml');
    doc = (yaml.parse ?? (yaml as unknown as { default: typeof yaml }).default.parse)(text);
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    return { warning: `The LiveKit CLI config ${path} is not valid YAML (${why}); ignoring it` };
  }
  if (doc === null || doc === undefined) return { config: { path, projects: [] } };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { warning: `The LiveKit CLI config ${path} is not a mapping; ignoring it` };
  const d = doc as { default_project?: unknown; projects?: unknown };
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const projects: LkProject[] = [];
  for (const p of Array.isArray(d.projects) ? (d.projects as Array<Record<string, unknown>>) : []) {
    const name = str(p?.name);
    const url = str(p?.url);
    const apiKey = str(p?.api_key);
    const apiSecret = str(p?.api_secret);
    if (!name || !url || !apiKey || !apiSecret) continue;
    const checked = check(setting('LIVEKIT_URL'), url);
    if (!checked.ok) continue;
    const projectId = str(p?.project_id);
    projects.push({ name, url: checked.value, apiKey, apiSecret, ...(projectId ? { projectId } : {}) });
  }
  const defaultProject = str(d.default_project);
  return { config: { path, projects, ...(defaultProject ? { defaultProject } : {}) } };
}

/** The project lk uses when none is named: the one called default_project (none otherwise, as lk does). */
export function defaultProjectOf(c: LkConfig): LkProject | undefined {
  return c.defaultProject ? c.projects.find((p) => p.name === c.defaultProject) : undefined;
}

/**
 * LiveKit Cloud's SIP URI host is the project id without "p_" under sip.livekit.cloud (FACTS.md). Only a
 * *.livekit.cloud project has one; a self-hosted server's SIP host cannot be derived.
 */
export function sipDomainOf(p: LkProject): string | undefined {
  if (!p.projectId) return undefined;
  let host: string;
  try {
    host = new URL(p.url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (!host.endsWith('.livekit.cloud')) return undefined;
  const id = p.projectId.replace(/^p_/, '').toLowerCase();
  return /^[a-z0-9]+$/.test(id) ? `${id}.sip.livekit.cloud` : undefined;
}

/** The settings a project gives. */
export function valuesOf(p: LkProject): Values {
  const sip = sipDomainOf(p);
  return { LIVEKIT_URL: p.url, LIVEKIT_API_KEY: p.apiKey, LIVEKIT_API_SECRET: p.apiSecret, ...(sip ? { LIVEKIT_SIP_DOMAIN: sip } : {}) };
}

/**
 * Fills the LiveKit settings that are still missing from `project`, lowest in precedence: only when what
 * is already set (URL, key) is this project's, so one project's secret never joins another's key.
 * Returns the keys it filled.
 */
export function fillFromProject(values: Values, project: LkProject): Array<keyof Values> {
  const v = valuesOf(project);
  if (values.LIVEKIT_URL && values.LIVEKIT_URL !== project.url) return [];
  if (values.LIVEKIT_API_KEY && values.LIVEKIT_API_KEY !== project.apiKey) return [];
  const filled: Array<keyof Values> = [];
  for (const key of ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'LIVEKIT_SIP_DOMAIN'] as const) {
    if (values[key] || !v[key]) continue;
    values[key] = v[key];
    filled.push(key);
  }
  return filled;
}
