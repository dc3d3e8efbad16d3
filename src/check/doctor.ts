// The LiveKit doctor: what exists around the number, not only what this tool made. A pure judgement over the
// trunks and rules it is handed (the check lists them; the setup can hand it what it observed), following
// LiveKit's own matching (livekit/protocol sip/sip.go): a trunk matches the called number after normalising
// both; a rule with no trunk ids is a default for every trunk, below any rule naming the trunk; a rule's `numbers` filter is compared to the
// called number as written; a named worker is dispatched only by a rule that names it.
import { tool } from '../invocation.js';
import type { SIPDispatchRuleInfo, SIPInboundTrunkInfo } from '@livekit/protocol';
import { normalizeNumber, ruleNumbersTaking, sameNumber } from '../services/sip-number.js';

export { ruleNumbersTaking };
import type { Hop } from './types.js';

export const DOCTOR_HOP = { id: 'doctor', title: 'LiveKit doctor' } as const;

export type FindingKind = 'duplicate-trunk' | 'catch-all-rule' | 'several-rules' | 'agents' | 'open-trunk' | 'numbers-filter' | 'hidden-numbers';

export interface Finding {
  kind: FindingKind;
  /** note: worth knowing, nothing wrong; warn: the call works but something is exposed; error: calls go wrong or go elsewhere. */
  severity: 'error' | 'warn' | 'note';
  line: string;
  fix: string;
  /**
   * The next setup run plans the fix itself (planLiveKit makes our trunk and rule right: the number in the
   * rule's filter, the agent, digest auth). False: someone else's trunk or rule, to fix by hand.
   */
  bySetup: boolean;
  trunkId?: string;
  ruleId?: string;
}

export interface DoctorInput {
  e164: string;
  trunks: SIPInboundTrunkInfo[];
  rules: SIPDispatchRuleInfo[];
  /** The trunk the number is meant to be on (ours); the others holding it are duplicates. */
  ourTrunkId?: string | undefined;
  /** The agent_name the worker registers ('' or undefined: none). */
  agentName?: string | undefined;
  /** The number's carrier's signalling addresses, when LiveKit admits that carrier by address (no digest login). */
  carrierAddresses?: readonly string[] | undefined;
}

/** An allowed address that admits every sender. */
const ANY_ADDRESS = new Set(['0.0.0.0/0', '::/0', '0.0.0.0']);

export function diagnose(i: DoctorInput): Finding[] {
  const out: Finding[] = [];
  const trunkLabel = (t: SIPInboundTrunkInfo) => `trunk "${t.name || t.sipTrunkId}" (${t.sipTrunkId})`;
  const ruleLabel = (r: SIPDispatchRuleInfo) => `rule "${r.name || r.sipDispatchRuleId}" (${r.sipDispatchRuleId})`;
  const holding = i.trunks.filter((t) => t.numbers.some((n) => sameNumber(n, i.e164)));
  const ours = i.trunks.find((t) => t.sipTrunkId === i.ourTrunkId) ?? holding[0];

  for (const t of holding) {
    if (t === ours) continue;
    const as = t.numbers.find((n) => sameNumber(n, i.e164))!;
    out.push({
      kind: 'duplicate-trunk',
      severity: 'error',
      bySetup: false,
      trunkId: t.sipTrunkId,
      line: `${trunkLabel(t)} also holds ${i.e164}${as === i.e164 ? '' : ` as "${as}" (LiveKit normalises it to ${normalizeNumber(as)})`}: LiveKit cannot tell which trunk a call is for`,
      fix: `take ${i.e164} off one of them: lk sip inbound update --id ${t.sipTrunkId} --numbers …, or LiveKit Cloud → Telephony → SIP trunks`,
    });
  }

  // Rules that could take a call to the number on its trunk: they name the trunk (or none) and their
  // numbers filter, when they have one, holds the number exactly.
  const forTrunk = ours ? i.rules.filter((r) => r.trunkIds.length === 0 || r.trunkIds.includes(ours.sipTrunkId)) : [];
  const filterOk = (r: SIPDispatchRuleInfo) => !r.numbers.length || r.numbers.includes(i.e164);
  const byHandFilter = `add ${i.e164} to its numbers, or clear them (LiveKit Cloud → Telephony → Dispatch rules)`;
  for (const r of forTrunk.filter((r) => !filterOk(r))) {
    // No other rule takes the call: the setup's plan then adds the number to our rule, or makes one that takes it.
    const alone = !forTrunk.some((o) => o !== r && filterOk(o));
    out.push({
      kind: 'numbers-filter',
      severity: alone ? 'error' : 'warn',
      bySetup: alone,
      ruleId: r.sipDispatchRuleId,
      line: `${ruleLabel(r)} only takes calls to ${r.numbers.join(', ')}: not ${i.e164}${r.numbers.some((n) => sameNumber(n, i.e164)) ? ' as written (the filter is not normalised)' : ''}`,
      fix: alone ? `rerun ${tool()} (it plans a rule that takes ${i.e164}), or ${byHandFilter}` : byHandFilter,
    });
  }
  const taking = forTrunk.filter(filterOk);
  const specific = taking.filter((r) => r.trunkIds.length > 0);
  // LiveKit prefers a rule naming the trunk over a default one (no trunk ids); two of the same kind conflict.
  const contenders = specific.length ? specific : taking;

  // A default rule conflicts only with other default rules (protocol sip.go Validate): where a rule names our
  // trunk, it never takes our calls, and is only noted. Where it does take them, that is the error.
  for (const r of i.rules.filter((r) => r.trunkIds.length === 0)) {
    const takesOurs = ours !== undefined && !specific.length && taking.includes(r);
    out.push({
      kind: 'catch-all-rule',
      severity: takesOurs ? 'error' : 'note',
      bySetup: false,
      ruleId: r.sipDispatchRuleId,
      line: takesOurs
        ? `${ruleLabel(r)} names no trunk, and no rule names ${trunkLabel(ours)}: this default rule takes the calls to ${i.e164}`
        : `${ruleLabel(r)} names no trunk: a default rule for calls no specific rule takes${specific.length ? `; the rule naming our trunk takes ${i.e164}` : ''}`,
      fix: takesOurs
        ? `rerun ${tool()} to give the trunk its own rule, or give this one the trunk ids it is for (lk sip dispatch update --id ${r.sipDispatchRuleId} --trunks …)`
        : 'none needed for this number',
    });
  }

  // LiveKit keys its conflicts on the PIN and the caller numbers (inboundNumbers) too (sip.go's dispatchRuleKey):
  // rules that differ there take different calls to the number, not the same ones.
  const key = (r: SIPDispatchRuleInfo) => [pinOf(r), [...r.inboundNumbers].map(normalizeNumber).sort().join(',')].join('|');
  const groups = new Map<string, SIPDispatchRuleInfo[]>();
  for (const r of contenders) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  for (const same of groups.values())
    if (same.length > 1)
      out.push({
        kind: 'several-rules',
        severity: 'error',
        bySetup: false,
        line: `${same.length} rules could take a call to ${i.e164}: ${same.map(ruleLabel).join(', ')}`,
        fix: 'keep one rule per trunk and number: delete the others, or give each its own numbers filter',
      });

  // hidePhoneNumber drops sip.trunkPhoneNumber and sip.phoneNumber (protocol sip.go): the call still works, but
  // an agent that loads settings by the called number finds none, and one that knows callers by number cannot.
  for (const r of contenders.filter((r) => r.hidePhoneNumber))
    out.push({
      kind: 'hidden-numbers',
      severity: 'warn',
      bySetup: false,
      ruleId: r.sipDispatchRuleId,
      line: `${ruleLabel(r)} hides phone numbers (hidePhoneNumber): the agent gets neither sip.trunkPhoneNumber nor sip.phoneNumber, so it cannot load ${i.e164}'s settings or know the caller`,
      fix: 'turn hidePhoneNumber off on the rule (LiveKit Cloud → Telephony → Dispatch rules), unless the agent needs no number',
    });

  const want = i.agentName ?? '';
  // The plan changes the one rule that takes the call; among several, the others stay as they are.
  const oneRule = contenders.length === 1;
  for (const r of contenders) {
    const agents = (r.roomConfig?.agents ?? []).map((a) => a.agentName).filter(Boolean);
    if (want && !agents.includes(want))
      out.push({
        kind: 'agents',
        severity: 'error',
        bySetup: oneRule,
        ruleId: r.sipDispatchRuleId,
        line: `${ruleLabel(r)} ${agents.length ? `dispatches ${agents.map((a) => `"${a}"`).join(', ')}` : 'names no agent'}, but the worker registers "${want}": a named worker joins only when the rule names it`,
        fix: `name "${want}" in the rule's agents (rerun ${tool()} --agent-name ${want})`,
      });
    if (!want && agents.length)
      out.push({
        kind: 'agents',
        severity: 'error',
        bySetup: oneRule,
        ruleId: r.sipDispatchRuleId,
        line: `${ruleLabel(r)} dispatches ${agents.map((a) => `"${a}"`).join(', ')}, but the worker registers no agent_name: an unnamed worker joins only rooms whose rule names none`,
        fix: `set AGENT_NAME=${agents[0]} if the worker registers it, else clear the rule's agents (rerun ${tool()})`,
      });
  }

  // Trunks that would take the call: those holding the number, and wildcard trunks (no numbers).
  // Only the trunk the number is on is the setup's to secure; a wildcard or duplicate trunk is someone else's.
  for (const t of i.trunks.filter((t) => holding.includes(t) || t.numbers.length === 0))
    if (!t.authUsername && (t.allowedAddresses.some((a) => ANY_ADDRESS.has(a)) || (!t.allowedAddresses.length && !t.allowedNumbers.length)))
      out.push({
        kind: 'open-trunk',
        severity: 'warn',
        bySetup: t === ours,
        trunkId: t.sipTrunkId,
        line: `${trunkLabel(t)} has no digest auth${t.allowedAddresses.length ? ' and allows any address' : ', allowed addresses or allowed numbers'}: anyone who knows the SIP URI${t.numbers.length ? ' and the number' : ''} reaches the agent`,
        fix:
          t === ours && i.carrierAddresses
            ? `rerun ${tool()} to admit only the carrier's signalling addresses`
            : t === ours
            ? `rerun ${tool()} without --no-sip-auth to put digest auth on it (the carrier's route then answers the challenge)`
            : `give it digest auth or allowed addresses, or delete it (lk sip inbound delete ${t.sipTrunkId})`,
      });
  return out;
}


/** A rule's PIN, whatever its kind ('' when open). */
function pinOf(r: SIPDispatchRuleInfo): string {
  const rule = r.rule?.rule;
  return rule && rule.case ? ((rule.value as { pin?: string }).pin ?? '') : '';
}

/** The findings the next setup run plans a fix for (shown as changes in its plan); the rest are fixed by hand. */
export function fixableBySetup(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.bySetup);
}

/** The doctor as check hops: one per finding (a warning passes), or one saying all is clear. */
export function doctorHops(findings: Finding[], e164: string): Hop[] {
  if (!findings.length) return [{ ...DOCTOR_HOP, ok: true, detail: `no other trunk, rule or open door around ${e164}` }];
  return findings.map((f) =>
    f.severity === 'note'
      ? { ...DOCTOR_HOP, ok: true, detail: `note: ${f.line}` }
      : f.severity === 'warn'
      ? { ...DOCTOR_HOP, ok: true, detail: `warning: ${f.line}; fix: ${f.fix}` }
      : { ...DOCTOR_HOP, ok: false, detail: f.line, fix: f.fix },
  );
}
