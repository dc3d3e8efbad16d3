// The agent report (docs/agent-report.md) read and judged: attributes to a report, the report against the row,
// defaults with their reason and fix, a greeting time that two clocks cannot fake, the logged call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentProof, readAgentReport, rowProviders } from '../../src/check/agent-report.ts';

const NUMBER = '+14244851544';
const attrs = (extra: Record<string, string> = {}) => ({
  'inbound.v': '1',
  'inbound.call_id': 'SCL_abc',
  'inbound.number': NUMBER,
  'inbound.settings': 'row',
  'inbound.reason': '',
  'inbound.call_type': 'inbound-qualified',
  'inbound.stt': 'deepgram/nova-3',
  'inbound.llm': 'openai/gpt-4.1-mini',
  'inbound.tts': 'cartesia/sonic-2',
  'inbound.greeting': 'Hi Ada Lovelace, thanks for calling back!',
  'inbound.greeting_at': '1760000001200',
  ...extra,
});
const row = { STT_PROVIDER: 'deepgram', STT_MODEL: 'nova-3', LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4.1-mini', TTS_PROVIDER: 'cartesia', TTS_VOICE: 'sonic-2' };
const byTitle = (steps: ReturnType<typeof agentProof>, title: string) => steps.find((s) => s.title === title)!;

test('attributes under inbound.* become a report; none means the agent reports nothing', () => {
  const r = readAgentReport({ ...attrs(), 'sip.callID': 'x', 'lk.agent.name': 'inbound-agent' })!;
  assert.deepEqual(r, {
    version: '1', callId: 'SCL_abc', number: NUMBER, settings: 'row', callType: 'inbound-qualified', stt: 'deepgram/nova-3',
    llm: 'openai/gpt-4.1-mini', tts: 'cartesia/sonic-2', greeting: 'Hi Ada Lovelace, thanks for calling back!', greetingAt: 1760000001200,
  });
  assert.equal(readAgentReport({ 'lk.agent.name': 'x' }), undefined);
  assert.equal(readAgentReport(undefined), undefined);
  assert.equal(readAgentReport(attrs({ 'inbound.greeting_at': 'soon', 'inbound.settings': 'maybe' }))!.greetingAt, undefined);
  assert.equal(readAgentReport(attrs({ 'inbound.settings': 'maybe' }))!.settings, undefined);
});

test('the row in the convention\'s provider/model form', () => {
  assert.deepEqual(rowProviders(row), { stt: 'deepgram/nova-3', llm: 'openai/gpt-4.1-mini', tts: 'cartesia/sonic-2' });
  assert.deepEqual(rowProviders({ STT_PROVIDER: 'local' }), { stt: 'local' });
});

test('settings that match the row, a greeting with its time, and the logged call all pass', () => {
  const steps = agentProof({ e164: NUMBER, report: readAgentReport(attrs()), row, reachedAt: 1760000000300, interaction: { turns: 3, costUsd: 0.004, callType: 'inbound-qualified' } });
  assert.deepEqual(steps.map((s) => [s.title, s.ok]), [["Agent loaded the number's settings", true], ['Agent greeted the caller', true], ['Interactions row', true]]);
  assert.equal(steps[0]!.detail, "agent loaded +14244851544's settings (deepgram/nova-3 · openai/gpt-4.1-mini · cartesia/sonic-2), call type inbound-qualified");
  assert.equal(steps[1]!.detail, 'greeted 900 ms after the call reached LiveKit: "Hi Ada Lovelace, thanks for calling back!"');
  assert.equal(steps[2]!.detail, 'interaction logged: 3 turns, $0.0040, inbound-qualified');
});

test('defaults name their reason and the fix for it', () => {
  const cases: Array<[string, RegExp]> = [
    ['row inactive', /the row for \+14244851544 is inactive/],
    ['no row', /add the row for \+14244851544/],
    ['table missing', /sql --schema/],
    ['number hidden', /hidePhoneNumber/],
    ['database unreachable: timed out', /SUPABASE_URL/],
  ];
  for (const [reason, fix] of cases) {
    const s = byTitle(agentProof({ e164: NUMBER, report: readAgentReport(attrs({ 'inbound.settings': 'defaults', 'inbound.reason': reason, 'inbound.stt': 'local/pocketsphinx' })), row }), "Agent loaded the number's settings");
    assert.equal(s.ok, false, reason);
    assert.match(s.detail!, new RegExp(`^the agent used default providers \\(local/pocketsphinx · .*\\): ${reason}`));
    assert.match(s.fix!, fix, reason);
  }
});

test('a provider other than the row names fails, naming both; "local" in the row takes any local model', () => {
  const s = byTitle(agentProof({ e164: NUMBER, report: readAgentReport(attrs({ 'inbound.tts': 'local/espeak-ng', 'inbound.fallback': 'tts: cartesia failed (no key) → local/espeak-ng' })), row }), "Agent loaded the number's settings");
  assert.equal(s.ok, false);
  assert.match(s.detail!, /runs tts local\/espeak-ng where the row names cartesia\/sonic-2; fell back: tts: cartesia failed/);
  const local = agentProof({ e164: NUMBER, report: readAgentReport(attrs({ 'inbound.stt': 'local/pocketsphinx' })), row: { ...row, STT_PROVIDER: 'local', STT_MODEL: '' } });
  assert.equal(local[0]!.ok, true);
  const other = byTitle(agentProof({ e164: NUMBER, report: readAgentReport(attrs({ 'inbound.number': '+16505300051' })), row }), "Agent loaded the number's settings");
  assert.match(other.detail!, /loaded \+16505300051's settings, not \+14244851544's/);
});

test('a greeting on a clock behind the server\'s shows no time; no greeting fails; no report is no failure', () => {
  const behind = agentProof({ e164: NUMBER, report: readAgentReport(attrs()), row, reachedAt: 1760000009999 });
  assert.equal(byTitle(behind, 'Agent greeted the caller').detail, 'greeted: "Hi Ada Lovelace, thanks for calling back!"');
  const none = agentProof({ e164: NUMBER, report: readAgentReport(attrs({ 'inbound.greeting': '', 'inbound.greeting_at': '' })), row });
  assert.equal(byTitle(none, 'Agent greeted the caller').ok, false);
  const silent = agentProof({ e164: NUMBER, report: undefined, row, interactionState: 'not-found' });
  assert.deepEqual(silent.map((s) => [s.title, s.ok, Boolean(s.skipped)]), [['Agent report', true, true], ['Interactions row', false, true]]);
  assert.match(silent[0]!.detail!, /it reports no settings \(the convention: docs\/agent-report\.md\)/);
  const missing = byTitle(agentProof({ e164: NUMBER, report: readAgentReport(attrs()), row, interactionState: 'not-found' }), 'Interactions row');
  assert.equal(missing.ok, false);
  assert.ok(!missing.skipped);
});
