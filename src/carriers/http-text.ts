// What every carrier's HTTP client reads the same way: a body that may not be JSON, and a URL's host for messages.

/** The body as JSON, or undefined when it is empty or not JSON (an HTML error page from a proxy, say). */
export function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** The host of a URL for a message, or the text itself when it is not a URL. */
export function hostOf(u: string): string {
  try {
    return new URL(u).host;
  } catch {
    return u;
  }
}
