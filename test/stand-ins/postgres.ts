// A real throwaway PostgreSQL cluster on a loopback port: Debian's initdb + pg_ctl into a temp dir,
// removed on stop(). initdb refuses to run as root, so as root the cluster belongs to "postgres".
// It carries Supabase's roles: anon, authenticated, service_role (BYPASSRLS), all NOLOGIN, and
// authenticator, the login PostgREST connects as and switches from (SET ROLE) per request. Each new
// database is set up as a Supabase project is since 2026-10-30: USAGE on schema public for the three API
// roles, and no default privileges, so a table created by postgres (as the SQL editor does) is granted to
// nobody until a GRANT says so.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface Postgres {
  port: number;
  /** postgres://<user, default postgres>@127.0.0.1:<port>/<db> */
  url(db?: string, user?: string): string;
  /** Runs SQL through the real psql client (as a person pasting it would), stopping at the first error. */
  psql(sql: string, db?: string): Promise<string>;
  /**
   * A fresh, empty database; returns its name. `legacyGrants` sets it up as a project from before
   * 2026-10-30: new tables in public are granted to anon, authenticated and service_role by default.
   */
  createDatabase(opts?: { legacyGrants?: boolean }): Promise<string>;
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], db?: string): Promise<T[]>;
  stop(): Promise<void>;
}

function pgBin(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (existsSync(join(dir, name))) return join(dir, name);
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(base, v, 'bin', name))) return join(base, v, 'bin', name);
  throw new Error(`${name} not found: install PostgreSQL (apt-get install postgresql)`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL server binary, as "postgres" when we are root. */
async function runPg(bin: string, args: string[]) {
  if (!asRoot) return run(bin, args);
  return run('runuser', ['-u', 'postgres', '--', bin, ...args]);
}

export async function startPostgres(): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'csi-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await runPg(pgBin('initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  await runPg(pgBin('pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);

  // The server is its own process: if the test process ends without stop(), do not leave it running.
  const leftover = () => {
    const args = ['-D', data, '-m', 'immediate', 'stop'];
    try {
      if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', pgBin('pg_ctl'), ...args], { stdio: 'ignore' });
      else execFileSync(pgBin('pg_ctl'), args, { stdio: 'ignore' });
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', leftover);

  const url = (db = 'postgres', user = 'postgres') => `postgres://${user}@127.0.0.1:${port}/${db}`;
  const pools = new Map<string, pg.Pool>();
  const pool = (db: string) => {
    let p = pools.get(db);
    if (!p) pools.set(db, (p = new pg.Pool({ connectionString: url(db), max: 4 })));
    return p;
  };
  let n = 0;

  // Cluster-wide, as on Supabase (the roles' names and attributes; passwords do not matter under trust).
  await pool('postgres').query(`
    CREATE ROLE anon NOLOGIN NOINHERIT;
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
    CREATE ROLE authenticator LOGIN NOINHERIT;
    GRANT anon, authenticated, service_role TO authenticator;`);

  return {
    port,
    url,
    async psql(sql, db = 'postgres') {
      const child = run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url(db), '-f', '-'], { encoding: 'utf8' });
      child.child.stdin!.end(sql);
      return (await child).stdout;
    },
    async createDatabase(opts = {}) {
      const name = `t${process.pid}_${++n}`;
      await pool('postgres').query(`CREATE DATABASE ${name}`);
      const api = 'anon, authenticated, service_role';
      await pool(name).query(
        `GRANT USAGE ON SCHEMA public TO ${api};` +
          (opts.legacyGrants
            ? `ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO ${api};` +
              `ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO ${api};`
            : `ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON TABLES FROM ${api};` +
              `ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${api};`),
      );
      return name;
    },
    async query(sql, params, db = 'postgres') {
      return (await pool(db).query(sql, params as unknown[])).rows;
    },
    async stop() {
      process.removeListener('exit', leftover);
      await Promise.all([...pools.values()].map((p) => p.end()));
      await runPg(pgBin('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
