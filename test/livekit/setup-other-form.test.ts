// End to end (built binary, pseudo-terminal, stand-ins): a hand-made trunk holding the number without "+" is
// found and offered, reused without a conflict or a second trunk, and the check that follows is green.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startPty } from '../helpers/pty.ts';
import { NUMBER, startWorld } from '../helpers/world.ts';

test('a hand-made trunk holding 14244851544: offered, reused, the number not added again, every hop green', { timeout: 90_000 }, async () => {
  const w = await startWorld();
  const cwd = mkdtempSync(join(tmpdir(), 'csi-form-'));
  after(async () => {
    await w.stop();
    rmSync(cwd, { recursive: true, force: true });
  });
  w.livekit.registerWorker('inbound-agent');
  const { SipClient } = await import('livekit-server-sdk');
  const sip = new SipClient(w.livekit.url, w.livekit.apiKey, w.livekit.apiSecret);
  const theirs = await sip.createSipInboundTrunk('made-by-hand', ['14244851544']);

  const p = startPty(['--yes', '--number', NUMBER], {
    cwd,
    env: { ...w.env, AGENT_NAME: 'inbound-agent', DEEPGRAM_API_KEY: 'dg-key-not-real-0101' },
  });
  await p.waitFor(/already on the LiveKit trunk "made-by-hand", which this tool did not create/, { timeoutMs: 20_000 });
  p.write('y');
  assert.equal(await p.exited, 0, p.screen());
  assert.match(p.screen(), /Every hop that ran passed; not checked: SignalWire number runs our SWML/, "no SignalWire credentials here: that leg is named as unchecked");
  // The terminal wraps long lines; read the screen as one text.
  assert.match(p.screen().replace(/\n\s*/g, ' '), /held as "14244851544" \(LiveKit matches it to \+14244851544\)/);

  const trunks = [...w.livekit.trunks.values()];
  assert.equal(trunks.length, 1, 'no second trunk');
  assert.equal(trunks[0]!.sipTrunkId, theirs.sipTrunkId);
  assert.deepEqual(trunks[0]!.numbers, ['14244851544'], 'the number is not added in another form');
  assert.deepEqual([...w.livekit.rules.values()].map((r) => r.trunkIds), [[theirs.sipTrunkId]]);
  assert.ok(!w.livekit.requests.some((r) => r.status >= 400), 'no request was refused (no conflict)');
});
