// NO_COLOR in a real terminal: no colour sequence from our text, clack's prompts and spinners, or ora's
// apply spinner; without it, colour is there (so the check can fail).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type Postgres } from '../stand-ins/postgres.ts';
import { NUMBER, startWorld } from '../helpers/world.ts';
import { startPty } from '../helpers/pty.ts';

let pg: Postgres;
before(async () => (pg = await startPostgres()));
after(async () => pg?.stop());

// Select Graphic Rendition with anything but a plain reset: colour, bold, dim.
const STYLED = /\x1b\[(?!0?m)[0-9;]*m/;

for (const noColor of ['1', undefined]) {
  test(`a whole run in a terminal ${noColor ? 'with' : 'without'} NO_COLOR`, { timeout: 60_000 }, async () => {
    const w = await startWorld({ pg });
    after(() => w.stop());
    w.livekit.registerWorker();
    const cwd = mkdtempSync(join(tmpdir(), 'csi-color-'));
    const p = startPty(['--yes', '--number', NUMBER], { cwd, env: { ...w.env, DEEPGRAM_API_KEY: 'dg-key-not-real-0301', NO_COLOR: noColor } });
    assert.equal(await p.exited, 0, p.screen());
    assert.match(p.transcript(), /✔ LiveKit trunk "create-sip-inbound": create/, 'the apply spinner ran');
    if (noColor) assert.doesNotMatch(p.raw(), STYLED, `styled output: ${JSON.stringify(STYLED.exec(p.raw())?.[0])}`);
    else assert.match(p.raw(), STYLED);
  });
}
