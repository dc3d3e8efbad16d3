// Every stand-in at once, as the wizard meets them: LiveKit, a real Postgres with the schema behind a
// PostgREST stand-in, and (optionally) SignalWire. Used by the end-to-end tests and `npm run stack`.
import { renderSchema } from '../../src/render/sql.ts';
import { startLiveKit, type LiveKitStandIn } from '../stand-ins/livekit.ts';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { startPostgrest, type PostgrestStandIn } from '../stand-ins/postgrest.ts';
import { startSignalWire, type SignalWireStandIn } from '../stand-ins/signalwire.ts';
import { NUMBER } from '../fixtures.ts';
export { NUMBER } from '../fixtures.ts';

export interface World {
  pg: Postgres;
  db: string;
  livekit: LiveKitStandIn;
  rest: PostgrestStandIn;
  signalwire?: SignalWireStandIn;
  /** The variables that point the wizard at the stand-ins. */
  env: Record<string, string>;
  rows(): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

export interface WorldSecrets {
  livekitApiSecret?: string;
  supabaseServiceKey?: string;
  signalwireApiToken?: string;
}

/** The variables that point the wizard at a LiveKit (stand-in or real), the PostgREST stand-in and, when given, the SignalWire one. */
export function serviceEnv(
  lk: { url: string; apiKey: string; apiSecret: string; sipDomain: string },
  rest: { url: string; serviceKey: string },
  signalwire?: { url: string; projectId: string; apiToken: string },
): Record<string, string> {
  return {
    LIVEKIT_URL: lk.url,
    LIVEKIT_API_KEY: lk.apiKey,
    LIVEKIT_API_SECRET: lk.apiSecret,
    LIVEKIT_SIP_DOMAIN: lk.sipDomain,
    SUPABASE_URL: rest.url,
    SUPABASE_SERVICE_ROLE_KEY: rest.serviceKey,
    ...(signalwire ? { SIGNALWIRE_SPACE_URL: signalwire.url, SIGNALWIRE_PROJECT_ID: signalwire.projectId, SIGNALWIRE_API_TOKEN: signalwire.apiToken } : {}),
  };
}

export async function startWorld(opts: { pg?: Postgres; signalwire?: boolean; schema?: string; secrets?: WorldSecrets } = {}): Promise<World> {
  const pg = opts.pg ?? (await startPostgres());
  const db = await pg.createDatabase();
  await pg.psql(opts.schema ?? renderSchema(), db);
  const rest = await startPostgrest({ pg, db, ...(opts.secrets?.supabaseServiceKey ? { serviceKey: opts.secrets.supabaseServiceKey } : {}) });
  const livekit = await startLiveKit(opts.secrets?.livekitApiSecret ? { apiSecret: opts.secrets.livekitApiSecret } : {});
  const signalwire = opts.signalwire ? await startSignalWire(opts.secrets?.signalwireApiToken ? { apiToken: opts.secrets.signalwireApiToken } : {}) : undefined;
  signalwire?.addNumber(NUMBER);
  // 127.0.0.1:<port> as the SIP domain: resolves without a network and answers SIP OPTIONS, as the check's DNS and SIP service hops need.
  const env = serviceEnv({ ...livekit, sipDomain: livekit.sipHost }, rest, signalwire);
  return {
    pg,
    db,
    livekit,
    rest,
    signalwire,
    env,
    rows: () => pg.query('SELECT * FROM signalwire_phone_numbers ORDER BY number', [], db),
    async stop() {
      await Promise.all([livekit.stop(), rest.stop(), signalwire?.stop()]);
      if (!opts.pg) await pg.stop();
    },
  };
}
