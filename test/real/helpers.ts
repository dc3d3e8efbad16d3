// Shared by the real-LiveKit tests: one stack per file, a PostgREST stand-in over a real Postgres for the
// number's row, and the wizard's environment pointing at both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSchema } from '../../src/render/sql.ts';
import { runCli, type RunResult } from '../helpers/cli.ts';
import { serviceEnv } from '../helpers/world.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { startPostgrest, type PostgrestStandIn } from '../stand-ins/postgrest.ts';
import { startLiveKitStack, type LiveKitStack } from './livekit-stack.ts';
import { SECOND_NUMBER } from '../fixtures.ts';
export { CALLER, NUMBER } from '../fixtures.ts';

export const SECOND = SECOND_NUMBER;

export interface RealWorld {
  lk: LiveKitStack;
  pg: Postgres;
  rest: PostgrestStandIn;
  env: Record<string, string>;
  /** A fresh working directory for the wizard's .env. */
  cwd: string;
  cli(args: string[], extra?: Record<string, string>): Promise<RunResult>;
  stop(): Promise<void>;
}

export async function startRealWorld(): Promise<RealWorld> {
  const lk = await startLiveKitStack();
  const pg = await startPostgres().catch(async (err) => {
    await lk.stop();
    throw err;
  });
  const db = await pg.createDatabase();
  await pg.psql(renderSchema(), db);
  const rest = await startPostgrest({ pg, db });
  const env: Record<string, string> = {
    ...serviceEnv(lk, rest),
    DEEPGRAM_API_KEY: 'dg-key-not-real-real',
    ELEVENLABS_API_KEY: 'el-key-not-real-real',
    OPENAI_API_KEY: 'oa-key-not-real-real',
  };
  const cwd = mkdtempSync(join(tmpdir(), 'csi-real-'));
  return {
    lk,
    pg,
    rest,
    env,
    cwd,
    cli: (args, extra = {}) => runCli(args, { cwd, env: { ...env, ...extra } }),
    async stop() {
      await Promise.allSettled([lk.stop(), rest.stop()]);
      await pg.stop();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops what a test file started, in order (the agent before the stack it talks to); absent ones are skipped. */
export async function stopInOrder(...things: Array<{ stop(): Promise<unknown> } | undefined>): Promise<void> {
  for (const t of things) await t?.stop();
}
