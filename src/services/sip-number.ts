// How LiveKit compares phone numbers (livekit/protocol livekit/sip.go NormalizeNumber, sip/sip.go
// MatchTrunkDetailed). Trunk matching, conflict checks and the trunk list filter all use this rule, so a
// trunk holding "14244851544" or "+1 424 485 1544" serves a call to "+14244851544".

// Only text made of digits, spaces, "-", "(" and ")" (with an optional leading "+") is a number to LiveKit;
// anything else ("user", "sip-agent") is compared as written.
const NUMBER_LIKE = /^\+?[\d\- ()]+$/;

/** LiveKit's normal form: spaces, "-", "(" and ")" removed and a missing "+" added; other text unchanged. */
export function normalizeNumber(n: string): string {
  if (!n || !NUMBER_LIKE.test(n)) return n;
  const bare = n.replace(/[ \-()]/g, '');
  return bare.startsWith('+') ? bare : `+${bare}`;
}

/** LiveKit's match of a trunk number against a called number: equal as written, or equal once normalised. */
export function sameNumber(a: string, b: string): boolean {
  return a === b || normalizeNumber(a) === normalizeNumber(b);
}

/**
 * A rule's `numbers` filter made to take calls to `e164`: LiveKit compares the filter with the called number as
 * written (MatchDispatchRuleIter), so another form of it ("14244851544") takes no call; and it validates the
 * filter normalised (DispatchRuleValidator), so keeping that form beside the E.164 one conflicts with itself.
 * Other forms are replaced by the E.164 one; other numbers stay. Undefined when the filter already takes it.
 */
export function ruleNumbersTaking(numbers: readonly string[], e164: string): string[] | undefined {
  if (!numbers.length || numbers.includes(e164)) return undefined;
  return [...numbers.filter((n) => !sameNumber(n, e164)), e164];
}
