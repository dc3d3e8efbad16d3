// --json: the run's result as data on stdout. No secret: values of secret settings are left out, and
// writeJson redacts any that a note or a summary might carry.
import { SETTINGS } from '../settings.js';
import { writeJson } from '../ui.js';
import type { Session } from './session.js';

/** `planNotes`: the plan's lines beside its changes (where a value came from, lines the .env readers disagree on). */
export function printJson(s: Session, changes: { summary: string }[], code: number, planNotes: string[] = []): void {
  const values: Record<string, string> = {};
  for (const def of SETTINGS) {
    const v = s.values[def.key];
    if (v !== undefined && !('secret' in def && def.secret)) values[def.key] = v;
  }
  const result = { ok: code === 0, dryRun: s.ctx.dryRun, mode: s.mode, number: s.values.PHONE_NUMBER, changes: changes.map((c) => c.summary), values, notes: [...planNotes, ...s.notes] };
  writeJson(result);
}
