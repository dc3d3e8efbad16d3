// One hop of the call path, as `check` reports it. Here at the base so a carrier's own hops (under src/carriers/)
// and the check's share the one shape.

/** One hop of the call path. A skipped hop did not run (a prerequisite failed, or it is not configured): it is not a failure. */
export interface Hop {
  id: string;
  title: string;
  ok: boolean;
  /** What was found, in one line. */
  detail?: string;
  /** What to do about a failure, in one line. */
  fix?: string;
  skipped?: boolean;
}
