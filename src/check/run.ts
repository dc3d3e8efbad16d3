// The test-call check: every hop of the call path in order (a hop whose prerequisite failed is skipped, not
// failed again), then the agent probe, then optionally a live call. Used by `check` and by the wizard's
// last step. Prints as it goes when asked; always returns the whole report.
import { tool } from '../invocation.js';
import { readLiveKit, type LiveKitLists } from '../services/livekit.js';
import type { NumberRow } from '../services/supabase.js';
import type { Values } from '../settings.js';
import { bold, green, out, red, yellow } from '../ui.js';
import { databaseHop, DATABASE_HOP } from './database-hop.js';
import { oneLine } from '../redact.js';
import { dnsHop, DNS_HOP } from './dns-hop.js';
import { ENV_HOP, envHop, REQUIRED } from './env-hop.js';
import { LIVE_TIMEOUT_S, watchLiveCall } from './live.js';
import { liveKitApi, type LiveKitApi } from './livekit-api.js';
import { liveKitHops, LIVEKIT_HOP, RULE_HOP, TRUNK_HOP, type LiveKitFindings } from './livekit-hops.js';
import { loadKinds } from './participants.js';
import { PROBE_TIMEOUT_MS, probeAgent } from './probe.js';
import { seconds } from '../timing.js';
import { announceCall, printHop, printLive, printProbe, transient } from './report.js';
import { carrierHop, CARRIER_HOP_ID } from './carrier-hop.js';
import { carrierOf } from '../config.js';
import { carrierNamed } from '../carriers/index.js';
import { isSelfHostedSip, sipOptionsHop, SIP_OPTIONS_HOP } from './sip-options-hop.js';
import type { CheckReport, Hop, LiveKitConn, LiveResult, ProbeResult, Resolver } from './types.js';

export type { CheckReport, Hop, LiveResult, ProbeResult } from './types.js';

/** How the agent is started, in the probe's words (the starter agent's command; any worker's own works too). */
const AGENT_START = 'python agent.py dev';

export interface CheckOptions {
  print: boolean;
  probe: boolean;
  live: boolean;
  /** How long the live call is waited for, in seconds (default 120). */
  timeoutSec?: number;
  envFile: string;
  /** Called once the live watch is armed: a call to `number` from now on is seen. */
  onLiveStart?: (number: string) => void;
  /** How long the probe waits for an agent (default 20 s). */
  probeTimeoutMs?: number;
  /** How often LiveKit is polled during the probe and the live watch. */
  pollMs?: number;
  /** How long after a live call ends its interaction row is waited for (default 10 s). */
  interactionWaitMs?: number;
  /** false: the database is not ours to check (the setup's --no-db). */
  db?: boolean;
  /** Resolves the SIP domain; node:dns/promises lookup by default. */
  resolve?: Resolver;
  /** Place a test call through the number's carrier (`--call`). */
  call?: Omit<import('./call.js').CallOptions, 'print'>;
  /** The command that runs this check again, for the closing line (default: the tool as started, then check). */
  rerun?: string;
  /** What the setup already observed: judged as it is, not read again. */
  observed?: Observed;
  /** A person at the keyboard: the probe says what it waits for, and Enter skips it. */
  keyboard?: boolean;
  /** The setup's probe: no agent yet is a note (start it, then check), not a failure. */
  agentMayBeMissing?: boolean;
  /** No agent can be there yet (the setup just created it): the probe is skipped at once, saying why. */
  probeSkipped?: string;
}

/**
 * State a setup has just observed, for the check to judge instead of reading it again. After an apply, only
 * what the apply did not change, or what its writes answered (the row read back, the number as updated).
 */
export interface Observed {
  livekit?: LiveKitLists;
  /** The number's row as read; `row` undefined: there is none. */
  database?: { row: NumberRow | undefined };
  /** The number's state at its carrier (the carrier's observe, as the apply left it). */
  carrier?: unknown;
}

export async function runChecks(values: Values, opts: CheckOptions): Promise<CheckReport> {
  const since = new Date();
  const hops: Hop[] = [];
  const add = (h: Hop) => {
    hops.push(h);
    if (opts.print) printHop(h);
  };
  const skip = (hop: { id: string; title: string }, why: string): Hop => ({ ...hop, ok: false, skipped: true, detail: why });
  const e164 = values.PHONE_NUMBER;

  const required = opts.db === false ? REQUIRED.filter((k) => !k.startsWith('SUPABASE_')) : REQUIRED;
  add(guard(ENV_HOP, values, () => envHop(values, opts.envFile, required)));

  const conn: LiveKitConn | undefined =
    values.LIVEKIT_URL && values.LIVEKIT_API_KEY && values.LIVEKIT_API_SECRET
      ? { url: values.LIVEKIT_URL, apiKey: values.LIVEKIT_API_KEY, apiSecret: values.LIVEKIT_API_SECRET }
      : undefined;
  const reads = startReads(values, conn, opts);
  let api: LiveKitApi | undefined;
  let lk: LiveKitFindings | undefined;
  if (conn && e164) {
    api = await liveKitApi(conn);
    await loadKinds();
    try {
      lk = await liveKitHops(conn, values, reads.livekit);
      lk.hops.forEach(add);
      if (lk.trunks) await doctor(lk, values, e164).then((hs) => hs.forEach(add));
    } catch (err) {
      add({ ...LIVEKIT_HOP, ok: false, detail: oneLine(err, values), fix: 'check LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET' });
    }
  } else {
    for (const h of [LIVEKIT_HOP, TRUNK_HOP, RULE_HOP]) add(skip(h, 'needs the LiveKit settings and the number'));
  }
  const liveKitOk = hops.some((h) => h.id === LIVEKIT_HOP.id && h.ok);

  add(values.LIVEKIT_SIP_DOMAIN ? await guardAsync(DNS_HOP, values, () => dnsHop(values.LIVEKIT_SIP_DOMAIN!, opts.resolve)) : skip(DNS_HOP, 'needs LIVEKIT_SIP_DOMAIN'));
  if (values.LIVEKIT_SIP_DOMAIN && isSelfHostedSip(values.LIVEKIT_SIP_DOMAIN))
    add(hops.at(-1)!.ok ? await guardAsync(SIP_OPTIONS_HOP, values, () => sipOptionsHop(values.LIVEKIT_SIP_DOMAIN!)) : skip(SIP_OPTIONS_HOP, 'needs the SIP domain to resolve'));
  add(
    opts.db === false
      ? skip(DATABASE_HOP, 'the database is managed elsewhere (--no-db)')
      : e164 && values.SUPABASE_URL && values.SUPABASE_SERVICE_ROLE_KEY
      ? await guardAsync(DATABASE_HOP, values, () => databaseHop(values, reads.database))
      : skip(DATABASE_HOP, 'needs SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY and the number'),
  );
  // The carrier's hops, its route first: a skip there (or of the database hop) leaves a leg of the call unproven.
  const carrier = carrierNamed(carrierOf(values));
  const carrierHops = carrier.hops ? await carrier.hops(values, e164, reads.carrier) : e164 ? [await carrierHop(values, e164, reads.carrier)] : [];
  carrierHops.forEach(add);
  const legs = new Set([DATABASE_HOP.id, carrierHops[0]?.id ?? CARRIER_HOP_ID]);

  const report: CheckReport = { ok: false, hops };

  if (opts.probe) {
    if (opts.probeSkipped) {
      report.probe = { ok: false, skipped: true, detail: opts.probeSkipped };
    } else if (api && conn && lk && liveKitOk) {
      const timeoutMs = opts.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
      const who = values.AGENT_NAME ? `agent "${values.AGENT_NAME}"` : 'an agent';
      const keys = opts.keyboard && opts.print ? (await import('./enter-skips.js')).enterSkips() : undefined;
      const clear = opts.print
        ? transient(`Waiting up to ${seconds(timeoutMs)} for ${who} to join a test room (start your agent: ${AGENT_START})${keys ? '; Enter skips' : ''}…`)
        : () => {};
      report.probe = await probeAgent(api, conn, {
        agentName: values.AGENT_NAME || undefined,
        ruleAgents: lk.rule ? lk.ruleAgents : undefined,
        roomPrefix: lk.roomPrefix,
        timeoutMs,
        ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
        ...(keys ? { signal: keys.signal } : {}),
      }).finally(() => {
        keys?.dispose();
        clear();
      });
      // Right after a setup the agent is often not started yet: say how to start it, calmly.
      if (opts.agentMayBeMissing && !report.probe.ok && !report.probe.skipped && /^no agent joined/.test(report.probe.detail))
        report.probe = { ...report.probe, skipped: true, detail: `no agent is running yet: start it (${AGENT_START}), then run \`${opts.rerun ?? `${tool()} check`}\`` };
    } else {
      report.probe = { ok: false, skipped: true, detail: 'needs LiveKit' };
    }
    if (opts.print) printProbe(report.probe);
  }

  if (opts.live) {
    // A call cannot reach a room without the trunk and a rule: do not ask the person to dial for nothing.
    const trunkOk = hops.some((h) => h.id === TRUNK_HOP.id && h.ok);
    report.live =
      api && conn && lk?.rule && liveKitOk && trunkOk && e164
        ? await live(api, conn, lk, e164, since, values, opts, rowValues(reads.database))
        : { ok: false, skipped: true, number: e164 ?? '', detail: 'needs LiveKit, a trunk holding the number and a dispatch rule' };
    if (opts.print) printLive(report.live);
  }

  if (opts.call) {
    const { printCall, provenCall } = await import('./call.js');
    report.call =
      api && conn && lk && liveKitOk && e164
        ? await provenCall(api, conn, lk, values, { pollMs: opts.pollMs, interactionWaitMs: opts.interactionWaitMs, row: rowValues(reads.database), ...opts.call, print: opts.print })
        : { ok: false, skipped: true, steps: [], detail: 'needs LiveKit and the number' };
    if (opts.print) printCall(report.call);
  }

  const passed = (r: { ok: boolean; skipped?: boolean } | undefined) => !r || r.ok || Boolean(r.skipped);
  report.ok = hops.every(passed) && passed(report.probe) && passed(report.live) && passed(report.call);
  if (opts.print) {
    const failed = [...hops, report.probe, report.live, report.call].filter((r) => r && !passed(r)).length;
    const rerun = opts.rerun ?? `${tool()} check`;
    // A hop of the call path that did not run is not a pass: never say "every hop" over it.
    const unchecked = hops.filter((h) => h.skipped && legs.has(h.id));
    if (!report.ok) out(red(`${failed} problem${failed === 1 ? '' : 's'}: fix ${failed === 1 ? 'it' : 'them'} and run \`${rerun}\` again.`));
    else if (unchecked.length) out(yellow(`Every hop that ran passed; not checked: ${unchecked.map((h) => h.title).join(', ')} (see above).`));
    else out(green(bold('Every hop passed.')));
  }
  return report;
}

/**
 * The three services' reads, started at once (they do not depend on each other), or what the setup observed.
 * The hops await them in their order; a failure stays with its hop.
 */
function startReads(values: Values, conn: LiveKitConn | undefined, opts: CheckOptions) {
  const o = opts.observed ?? {};
  const e164 = values.PHONE_NUMBER;
  // Awaited later by its hop: until then a failure must not count as unhandled.
  const held = <T>(p: Promise<T>) => (p.catch(() => {}), p);
  const livekit = conn && e164 ? held(o.livekit ? Promise.resolve(o.livekit) : readLiveKit(conn)) : undefined;
  const database =
    opts.db !== false && e164 && values.SUPABASE_URL && values.SUPABASE_SERVICE_ROLE_KEY
      ? held(
          o.database
            ? Promise.resolve(o.database.row)
            : import('../services/supabase.js').then((m) => m.readNumberRow(m.supabaseConn(values)!, e164)),
        )
      : undefined;
  const carrier = carrierNamed(carrierOf(values));
  const carrierConn = carrier.conn(values);
  // The number's route at its carrier; a target the settings cannot make yet fails its hop, not the check.
  const route =
    e164 && (o.carrier || carrierConn)
      ? held(o.carrier ? Promise.resolve(o.carrier) : Promise.resolve().then(() => carrier.observe(carrierConn, e164, carrier.target(values))))
      : undefined;
  return { livekit, database, carrier: route };
}

async function live(
  api: LiveKitApi,
  conn: LiveKitConn,
  lk: LiveKitFindings,
  e164: string,
  since: Date,
  values: Values,
  opts: CheckOptions,
  row: Promise<Values | undefined> | undefined,
): Promise<LiveResult> {
  const timeoutMs = (opts.timeoutSec ?? LIVE_TIMEOUT_S) * 1000;
  let ui: ReturnType<typeof announceCall> | undefined;
  try {
    const result = await watchLiveCall(api, conn, {
      e164,
      roomPrefix: lk.roomPrefix,
      trunkId: lk.trunk?.sipTrunkId,
      since,
      timeoutMs,
      ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
      ...(opts.interactionWaitMs !== undefined ? { interactionWaitMs: opts.interactionWaitMs } : {}),
      supabase:
        values.SUPABASE_URL && values.SUPABASE_SERVICE_ROLE_KEY ? { url: values.SUPABASE_URL, serviceKey: values.SUPABASE_SERVICE_ROLE_KEY } : undefined,
      onWatching: (n) => {
        if (opts.print) ui = announceCall(n, timeoutMs);
        opts.onLiveStart?.(n);
      },
      onEvent: (text) => ui?.event(text),
      row,
    });
    return result.ok || result.room ? result : await explained(result, values, since);
  } finally {
    ui?.stop();
  }
}

/** The number's settings from its row, to compare with what the agent reports; undefined when unread or absent. */
function rowValues(read: Promise<NumberRow | undefined> | undefined): Promise<Values | undefined> | undefined {
  return read?.then((r) => r?.values).catch(() => undefined);
}

/** A call that never reached LiveKit, explained from the carrier's own record when its credentials are there. */
async function explained(result: LiveResult, values: Values, since: Date): Promise<LiveResult> {
  const carrier = carrierNamed(carrierOf(values));
  const conn = carrier.conn(values);
  if (!conn || !carrier.explain) return result;
  const why = await carrier.explain(conn, { since, e164: result.number, sipDomain: values.LIVEKIT_SIP_DOMAIN }).catch(() => undefined);
  return why ? { ...result, detail: `no call reached LiveKit: ${why.cause}`, fix: why.fix } : result;
}

/** The LiveKit doctor over the trunks and rules the hops listed (a mismatch the rule hop already names is not repeated). */
async function doctor(lk: LiveKitFindings, values: Values, e164: string): Promise<Hop[]> {
  const { diagnose, doctorHops } = await import('./doctor.js');
  const needs = carrierNamed(carrierOf(values)).trunkNeeds(values);
  const carrierAddresses = needs.kind === 'addresses' ? needs.addresses : undefined;
  const findings = diagnose({ e164, trunks: lk.trunks ?? [], rules: lk.rules ?? [], ourTrunkId: lk.trunk?.sipTrunkId, agentName: values.AGENT_NAME, carrierAddresses });
  const ruleHopFailed = lk.hops.some((h) => h.id === RULE_HOP.id && !h.ok && !h.skipped);
  return doctorHops(findings.filter((f) => !(ruleHopFailed && f.kind === 'agents' && f.ruleId === lk.rule?.sipDispatchRuleId)), e164);
}

/** A hop that throws is a failed hop with the error's one line, never a crash of the whole check. */
function guard(hop: { id: string; title: string }, values: Values, fn: () => Hop): Hop {
  try {
    return fn();
  } catch (err) {
    return { ...hop, ok: false, detail: oneLine(err, values), fix: 'fix the problem named and rerun' };
  }
}

async function guardAsync(hop: { id: string; title: string }, values: Values, fn: () => Promise<Hop>): Promise<Hop> {
  try {
    return await fn();
  } catch (err) {
    return { ...hop, ok: false, detail: oneLine(err, values), fix: 'fix the problem named and rerun' };
  }
}
