// The ending: the next steps name how to start the worker (from the agent's file when one was found),
// how to place or watch a call, and where the logs are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSteps } from '../../src/steps/summary.ts';
import { session } from './helpers.ts';

test('next steps: start the worker, call the number or watch it with check --live, where the logs are', () => {
  const s = session({ PHONE_NUMBER: '+14244851544', AGENT_NAME: 'my-agent', LIVEKIT_URL: 'wss://my-app-abc.livekit.cloud' }, { envFile: '.env' });
  s.from.AGENT_NAME = 'from agent.py:42';
  const [start, call, logs] = nextSteps(s);
  assert.match(start!, /Start the agent worker \(it must register agent_name "my-agent"\): python agent\.py dev/);
  assert.match(call!, /Call \+14244851544, or watch a call come through: npx create-sip-inbound check --live --number \+14244851544$/);
  assert.doesNotMatch(call!, /--call/, 'no SignalWire credentials: no test call to place');
  assert.match(logs!, /LiveKit Cloud → Sessions \(https:\/\/cloud\.livekit\.io\/projects\)/, 'no project known: the list of projects');
  assert.match(logs!, /SignalWire → Logs → Voice/);

  const selfHosted = session({ PHONE_NUMBER: '+14244851544', LIVEKIT_URL: 'wss://lk.example.com' }, { envFile: 'prod.env' });
  const [, call2, logs2] = nextSteps(selfHosted);
  assert.match(call2!, /check -f prod\.env --live --number \+14244851544$/);
  assert.match(logs2!, /your LiveKit server's log/);
});

test('next steps with SignalWire credentials name check --call, as a command that works as written', () => {
  const s = session(
    {
      PHONE_NUMBER: '+14244851544',
      LIVEKIT_URL: 'wss://my-app-abc.livekit.cloud',
      SIGNALWIRE_SPACE_URL: 'https://example.signalwire.com',
      SIGNALWIRE_PROJECT_ID: 'fake-project',
      SIGNALWIRE_API_TOKEN: 'PTfake',
    },
    { envFile: 'my env/.env', options: { 'no-db': true } },
  );
  const [, call] = nextSteps(s);
  const [first, second] = call!.split('\n');
  assert.match(first!, /no phone.*billed\): npx create-sip-inbound check -f 'my env\/\.env' --no-db --call --number \+14244851544$/);
  assert.match(second!, /^ +or call \+14244851544 yourself and watch it come through: npx create-sip-inbound check -f 'my env\/\.env' --no-db --live --number \+14244851544$/);
});
