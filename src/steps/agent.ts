// The starter agent: offered once when the .env's folder holds no agent, created by the apply as one change
// that lists its files. Never overwrites a file; `--agent python|none` decides without a question.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { findAgentNames } from '../agent-name.js';
import { TEMPLATES_DIR } from '../templates.js';
import type { Change } from '../changes.js';
import { UsageError } from '../errors.js';
import { select } from './ask.js';
import type { Session } from './session.js';

export const AGENT_KINDS = ['python', 'none'] as const;
const TEMPLATE = join(TEMPLATES_DIR, 'agent', 'python');
const SKIP = /(^|\/)(__pycache__|\.pytest_cache|\.venv)(\/|$)/;
/** The commands that install and start the generated agent, from its folder (its README says the same). */
export const AGENT_COMMANDS = ['python3 -m venv .venv && .venv/bin/pip install -r requirements.txt', '.venv/bin/python agent.py dev'];

export interface AgentFiles {
  folder: string;
  /** Relative path → content, only files that do not exist yet. */
  files: Map<string, string>;
}

/** Decides whether to create the starter agent; undefined when not (an agent is there, or the person said no). */
export async function askAgent(s: Session): Promise<AgentFiles | undefined> {
  const choice = s.ctx.options.agent as string | undefined;
  if (choice !== undefined && !(AGENT_KINDS as readonly string[]).includes(choice))
    throw new UsageError(`--agent must be one of ${AGENT_KINDS.join(', ')} (got "${choice}")`);
  const folder = dirname(resolve(s.ctx.envFile));
  if (choice === 'none' || hasAgent(folder)) return undefined;
  if (choice !== 'python') {
    // Asked once, at a keyboard only: --yes and scripts create it only when --agent python says so.
    if (!s.prompts || s.ctx.yes) return undefined;
    const answer = await select(
      'Create a starter agent in this folder?',
      [
        { value: 'python', label: 'Yes: a Python agent (LiveKit Agents) that reads this number\'s settings', hint: 'agent.py, tests, requirements.txt' },
        { value: 'none', label: 'No: I have my own agent' },
      ],
      'python',
    );
    if (answer !== 'python') return undefined;
  }
  return { folder, files: agentFiles(folder, s.values.AGENT_NAME ?? '') };
}

/** A folder that already holds an agent: one the agent-name finder sees, or an agent.py. */
export function hasAgent(folder: string): boolean {
  return existsSync(join(folder, 'agent.py')) || findAgentNames(folder).length > 0;
}

/** The template's files that the folder lacks, agent.py registering the rule's agent name. */
export function agentFiles(folder: string, agentName: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      const rel = relative(TEMPLATE, path);
      if (SKIP.test(rel)) continue;
      if (e.isDirectory()) walk(path);
      else if (!existsSync(join(folder, rel))) {
        let text = readFileSync(path, 'utf8');
        if (rel === 'agent.py') text = text.replace('agent_name="inbound-agent"', `agent_name=${JSON.stringify(agentName)}`);
        files.set(rel, text);
      }
    }
  };
  walk(TEMPLATE);
  return files;
}

/** One change for the plan: each file it creates, named. */
export function agentChange(a: AgentFiles): Change | undefined {
  if (!a.files.size) return undefined;
  const names = [...a.files.keys()].sort();
  return {
    target: 'files',
    summary: `starter agent (Python) in ${a.folder}: create ${names.join(', ')}`,
    apply: async () => {
      for (const [rel, text] of a.files) {
        const path = join(a.folder, rel);
        if (existsSync(path)) continue; // never overwrite, even a file that appeared since the plan
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text, { flag: 'wx' });
      }
    },
  };
}
