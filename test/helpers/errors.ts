// The house rule for failures, as one assertion: the right error type, one line, no secret in it.
import assert from 'node:assert/strict';

/** Runs `fn`, expects it to throw `type`, and checks the message is one line without `secret` in it. */
export async function oneLineError<E extends Error>(fn: () => Promise<unknown>, type: new (...args: never[]) => E, secret: string): Promise<E> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof type, `expected ${type.name}, got ${String(caught)}`);
  const message = (caught as Error).message;
  assert.doesNotMatch(message, /[\r\n]/, 'one line');
  assert.ok(!message.includes(secret), 'the secret is not in the message');
  return caught as E;
}
