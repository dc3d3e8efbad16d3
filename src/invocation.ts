// How the person started the tool, so every command it prints can be pasted as it is: `npx create-sip-inbound`,
// `npm start --` in a clone, `node bin/create-sip-inbound.js`, or an installed `create-sip-inbound`.
import { basename, isAbsolute, relative } from 'node:path';

const PUBLISHED = 'npx create-sip-inbound';
let started: string | undefined;

/** Decides the form once, from npm's environment and the script path Node was given. */
export function detectInvocation(env: NodeJS.ProcessEnv = process.env, script = process.argv[1] ?? '', cwd = process.cwd()): string {
  // npm sets npm_command for npx (exec) and npm create/init; npm_lifecycle_event names the script it runs.
  if (env.npm_command === 'exec' || env.npm_command === 'init') return PUBLISHED;
  if (env.npm_lifecycle_event === 'start') return 'npm start --';
  const name = basename(script);
  if (name === 'create-sip-inbound') return 'create-sip-inbound'; // an installed bin, found on PATH
  if (name === 'create-sip-inbound.js') {
    const rel = relative(cwd, script);
    const path = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : script;
    return `node ${/^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`}`;
  }
  return PUBLISHED;
}

/** The command that starts this tool, as the person started it (`npx create-sip-inbound` when unknown). */
export function tool(): string {
  return (started ??= detectInvocation());
}

/** For tests and the CLI entry: fix the form once. */
export function setInvocation(form: string | undefined): void {
  started = form;
}
