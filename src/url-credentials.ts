// A URL's `user:pass@` part: SignalWire signs the URL without it, and it is never printed whole.

/** `https://user:pass@host/x` → `https://host/x`; anything else as it was, byte for byte. */
export function withoutCredentials(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (!m) return url;
  const at = m[2]!.lastIndexOf('@');
  return at === -1 ? url : m[1]! + m[2]!.slice(at + 1) + m[3]!;
}

/** The URL fit to print: any password replaced by •••• (the user name stays, to recognise it). */
export function maskCredentials(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (!m) return url;
  const at = m[2]!.lastIndexOf('@');
  if (at === -1) return url;
  const user = m[2]!.slice(0, at).split(':')[0]!;
  return `${m[1]}${user}:••••@${m[2]!.slice(at + 1)}${m[3]}`;
}
