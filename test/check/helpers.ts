// A whole setup for the check: a LiveKit stand-in holding the trunk and rule (made through the real SDK),
// a simulated worker, and the number's row in a real Postgres behind the PostgREST stand-in.
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoomAgentDispatch, RoomConfiguration } from '@livekit/protocol';
import { SipClient } from 'livekit-server-sdk';
import { renderSchema } from '../../src/render/sql.ts';
import type { Values } from '../../src/settings.ts';
import { startLiveKit, type LiveKitStandIn } from '../stand-ins/livekit.ts';
import type { Postgres } from '../stand-ins/postgres.ts';
import { startPostgrest, type PostgrestStandIn } from '../stand-ins/postgrest.ts';
import { AGENT_NAME, NUMBER, OTHER_NUMBER } from '../fixtures.ts';
export { CALLER, NUMBER, OTHER_NUMBER } from '../fixtures.ts';

export const AGENT = AGENT_NAME;
export const SIP_AUTH = { username: 'csi-user-fake', password: 'sip-digest-pass-fake-123' };

export interface SetupOptions {
  /** Numbers on the trunk (default: ours and another). */
  trunkNumbers?: string[];
  /** The agent the rule names; null: none (automatic dispatch). Default AGENT. */
  ruleAgent?: string | null;
  /** The agent name the simulated worker registers; null: no worker. Default AGENT. */
  worker?: string | null;
  workerDelayMs?: number;
  /** Insert the number's row (default true). */
  row?: boolean;
  sipDomain?: string;
  /** Settings the check gets on top (e.g. AGENT_NAME: undefined). */
  values?: Values;
}

export interface Setup {
  lk: LiveKitStandIn;
  rest: PostgrestStandIn;
  db: string;
  values: Values;
  /** A .env path that does not exist (the values come as they would from flags). */
  envFile: string;
  /** Every secret the check was given: none may appear in its output. */
  secrets: string[];
}

export async function setup(t: TestContext, pg: Postgres, o: SetupOptions = {}): Promise<Setup> {
  const lk = await startLiveKit({ apiKey: 'APIcheck', apiSecret: 'fake-livekit-secret-for-tests-0123456789' });
  t.after(() => lk.stop());
  const sip = new SipClient(lk.url, lk.apiKey, lk.apiSecret);
  const trunk = await sip.createSipInboundTrunk('create-sip-inbound', o.trunkNumbers ?? [NUMBER, OTHER_NUMBER], {
    authUsername: SIP_AUTH.username,
    authPassword: SIP_AUTH.password,
  });
  const ruleAgent = o.ruleAgent === undefined ? AGENT : o.ruleAgent;
  await sip.createSipDispatchRule(
    { type: 'individual', roomPrefix: 'sip-' },
    {
      name: 'create-sip-inbound',
      trunkIds: [trunk.sipTrunkId],
      roomConfig: new RoomConfiguration({ agents: ruleAgent ? [new RoomAgentDispatch({ agentName: ruleAgent })] : [] }),
    },
  );
  const worker = o.worker === undefined ? AGENT : o.worker;
  if (worker !== null) lk.registerWorker(worker, { joinDelayMs: o.workerDelayMs ?? 100 });

  const db = await pg.createDatabase();
  await pg.psql(renderSchema(), db);
  if (o.row !== false)
    await pg.query(
      `INSERT INTO signalwire_phone_numbers (number, status, tts_provider, tts_voice, llm_provider, llm_model) VALUES ($1, 'active', 'elevenlabs', 'Rachel', 'openai', 'gpt-5')`,
      [NUMBER],
      db,
    );
  const rest = await startPostgrest({ pg, db, serviceKey: 'sb_secret_fake_check_key_not_real' });
  t.after(() => rest.stop());

  const dir = mkdtempSync(join(tmpdir(), 'csi-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const values: Values = {
    LIVEKIT_URL: lk.url,
    LIVEKIT_API_KEY: lk.apiKey,
    LIVEKIT_API_SECRET: lk.apiSecret,
    LIVEKIT_SIP_DOMAIN: o.sipDomain ?? lk.sipHost,
    LIVEKIT_SIP_USERNAME: SIP_AUTH.username,
    LIVEKIT_SIP_PASSWORD: SIP_AUTH.password,
    AGENT_NAME: AGENT,
    PHONE_NUMBER: NUMBER,
    SUPABASE_URL: rest.url,
    SUPABASE_SERVICE_ROLE_KEY: rest.serviceKey,
    ...o.values,
  };
  for (const k of Object.keys(values) as Array<keyof Values>) if (values[k] === undefined) delete values[k];
  return { lk, rest, db, values, envFile: join(dir, '.env'), secrets: [lk.apiSecret, rest.serviceKey, SIP_AUTH.password] };
}

/** Ids of the hops that failed (not skipped). */
export const failing = (hops: Array<{ id: string; ok: boolean; skipped?: boolean }>) => hops.filter((h) => !h.ok && !h.skipped).map((h) => h.id);
