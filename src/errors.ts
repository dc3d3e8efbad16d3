// The CLI turns these into one line on stderr and an exit code; anything else is a bug and gets a short report.

/** Bad input or usage: a value, a flag, a credential the person must fix. Exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  /** The settings (variable names) a service rejected: the wizard asks these again and keeps the rest. */
  readonly settings: readonly string[];
  constructor(message: string, options: { settings?: readonly string[] } = {}) {
    super(message);
    this.name = 'UsageError';
    this.settings = options.settings ?? [];
  }
}

/** A service answered with a failure, timed out or could not be reached; or a check failed. Exit code 1. */
export class ServiceError extends Error {
  readonly exitCode: number;
  /** The settings (variable names) that may be wrong, e.g. the URL of a service out of reach. */
  readonly settings: readonly string[];
  constructor(
    readonly service: 'LiveKit' | 'Supabase' | 'SignalWire' | 'Twilio' | 'Telnyx' | 'DNS' | 'Server' | 'File',
    message: string,
    options: { exitCode?: number; cause?: unknown; settings?: readonly string[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ServiceError';
    this.exitCode = options.exitCode ?? 1;
    this.settings = options.settings ?? [];
  }
}

/** The person pressed Ctrl-C or chose not to go on (130), or a signal stopped the run (128 + its number). */
export class CancelledError extends Error {
  constructor(
    message = 'Cancelled: nothing was changed.',
    readonly exitCode = 130,
  ) {
    super(message);
    this.name = 'CancelledError';
  }
}

export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || err instanceof ServiceError || err instanceof CancelledError ? err.exitCode : 1;
}
