// Shared by the benchmarks: run a command many times, interleaved with its baseline, and report medians.
import { spawnSync } from 'node:child_process';

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall time of one run, in ms. */
export function timeOnce(cmd, args, env = process.env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Runs every case `rounds` times, interleaved so that machine noise hits all of them alike. */
export function compare(cases, rounds) {
  const times = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (const c of cases) timeOnce(c.cmd, c.args); // warm the file cache
  for (let i = 0; i < rounds; i++) for (const c of cases) times[c.name].push(timeOnce(c.cmd, c.args));
  return Object.fromEntries(cases.map((c) => [c.name, median(times[c.name])]));
}
