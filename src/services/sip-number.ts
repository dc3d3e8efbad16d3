// How LiveKit compares phone numbers (livekit/protocol livekit/sip.go NormalizeNumber): a number made only of
// digits, spaces, "-", "(" and ")" (with an optional leading "+") loses the separators and gains a missing
// "+"; anything else (a SIP user such as "{{call.to}}") is left as it is. A trunk matches a call when one
// of its numbers equals the called user or normalises to the same text.
const NUMBERISH = /^\+?[\d\- ()]+$/;

export function normalizeNumber(n: string): string {
  if (!n || !NUMBERISH.test(n)) return n;
  const bare = n.replace(/[\s\-()]/g, '');
  return bare.startsWith('+') ? bare : `+${bare}`;
}

export function sameNumber(a: string, b: string): boolean {
  return a === b || normalizeNumber(a) === normalizeNumber(b);
}
