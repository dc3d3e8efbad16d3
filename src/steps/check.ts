// Step 7: the test-call check, as the last step of the setup; then, when it passed, the offer to watch
// a real call.
import { confirm, select } from './ask.js';
import { tool } from '../invocation.js';
import type { Observed } from '../check/run.js';
import type { Session } from './session.js';
import { carrierOf } from '../config.js';
import { carrierNamed } from '../carriers/index.js';

/** Returns whether every hop passed. `observed`: what the setup already knows of the services (not read again). */
export async function runCheckStep(s: Session, observed?: Observed): Promise<boolean> {
  const { runChecks } = await import('../check/run.js');
  const common = { print: !s.ctx.json, envFile: s.ctx.envFile, db: !s.ctx.options['no-db'] };
  // The starter agent this run created is not installed yet, so no worker runs it: say so rather than wait 20 s.
  const probeSkipped = s.agentCreated ? `the starter agent was just created: install and start it (the next steps say how), then run \`${tool()} check\`` : undefined;
  const report = await runChecks(s.values, {
    ...common,
    probe: true,
    live: false,
    keyboard: Boolean(s.prompts),
    agentMayBeMissing: true,
    ...(probeSkipped ? { probeSkipped } : {}),
    ...(observed ? { observed } : {}),
  });
  if (!report.ok || !s.prompts || s.ctx.yes) return report.ok;
  if (placesTestCalls(s)) return offerTestCall(s, common);
  if (!(await confirm('Call the number now to watch a real call come through?', false))) return true;
  const live = await runChecks(s.values, { ...common, probe: false, live: true });
  return live.ok;
}

// ── The test call the number's carrier places (check --call), offered where its credentials exist ──────

const placesTestCalls = (s: Session) => {
  const carrier = carrierNamed(carrierOf(s.values));
  return Boolean(carrier.testCall && carrier.conn(s.values));
};

/**
 * With the carrier's credentials: a test call the carrier places (no phone needed; the cost is stated and asked
 * again before dialling), a call the person places and the check watches, or neither. Returns whether what
 * ran passed.
 */
export async function offerTestCall(
  s: Session,
  common: { print: boolean; envFile: string; db: boolean },
  /** Shorter waits, for tests. */
  tuning: { pollMs?: number; interactionWaitMs?: number; call?: { seconds?: number; settleMs?: number; ringSec?: number } } = {},
): Promise<boolean> {
  const { runChecks } = await import('../check/run.js');
  const choice = await select(
    'Prove it with a call now?',
    [
      { value: 'none', label: 'Not now' },
      { value: 'call', label: `Place a test call through ${carrierNamed(carrierOf(s.values)).label}`, hint: 'no phone needed; one short call, billed' },
      { value: 'live', label: 'I will call the number; watch it come through' },
    ],
    'none',
  );
  if (choice === 'none') return true;
  const report =
    choice === 'live'
      ? await runChecks(s.values, { ...common, probe: false, live: true })
      : await runChecks(s.values, {
          ...common,
          ...tuning,
          probe: false,
          live: false,
          call: { ...tuning.call, confirm: (text) => confirm(`${text} Place it?`, true) },
        });
  return report.ok;
}
