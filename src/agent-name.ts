// Finds the agent_name the worker registers in its own source, so the dispatch rule can name it without
// anyone typing it. Python: `agent_name="my-agent"` (WorkerOptions / @server.rtc_session); Node:
// `agentName: 'my-agent'` (ServerOptions / WorkerOptions). A short, bounded walk of the working directory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface FoundName {
  name: string;
  /** Relative to the directory searched, e.g. agent.py. */
  file: string;
  line: number;
}

const SKIP = new Set(['node_modules', '.venv', 'venv', 'env', '.git', 'dist', 'build', '__pycache__', 'site-packages', '.next', 'coverage']);
const SOURCE = /\.(py|ts|js|mjs|cjs|mts|cts)$/;
const PATTERNS = [/\bagent_name\s*=\s*(["'])([^"'\n]+)\1/g, /\bagentName\s*:\s*(["'`])([^"'`\n$]+)\1/g];
const MAX_FILES = 2000;
const MAX_BYTES = 512 * 1024;

export function findAgentNames(dir: string, opts: { maxDepth?: number } = {}): FoundName[] {
  const maxDepth = opts.maxDepth ?? 3;
  const found: FoundName[] = [];
  let files = 0;
  const walk = (d: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (files >= MAX_FILES) return;
      const path = join(d, e.name);
      if (e.isDirectory()) {
        if (depth < maxDepth && !SKIP.has(e.name) && !e.name.startsWith('.')) walk(path, depth + 1);
      } else if (e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) {
        files++;
        scan(path);
      }
    }
  };
  const scan = (path: string) => {
    try {
      if (statSync(path).size > MAX_BYTES) return;
      const lines = readFileSync(path, 'utf8').split('\n');
      lines.forEach((text, i) => {
        if (/^\s*(#|\/\/)/.test(text)) return; // a commented-out name registers nothing
        for (const re of PATTERNS) for (const m of text.matchAll(re)) found.push({ name: m[2]!, file: relative(dir, path), line: i + 1 });
      });
    } catch {
      // unreadable: not ours to report
    }
  };
  walk(dir, 0);
  return found;
}

/** The distinct names, in the order first found. */
export function distinctNames(found: FoundName[]): string[] {
  return [...new Set(found.map((f) => f.name))];
}

/** "from agent.py:42" */
export function whereFound(f: FoundName): string {
  return `from ${f.file}:${f.line}`;
}
