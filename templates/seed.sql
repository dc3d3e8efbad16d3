-- OPTIONAL example data for the starter agent: one prompt per call type. Safe to run more than once; it never
-- overwrites a prompt you changed. {name} is the lead's name; any key of leads.details works the same way.
INSERT INTO call_prompts (call_type, greeting, instructions) VALUES
  ('inbound-qualified', 'Hi {name}, thanks for calling back! How can I help you today?',
   'You are a friendly phone assistant. The caller, {name}, is a qualified lead. Help them take the next step, and offer to book a callback with a specialist.'),
  ('inbound-unqualified', 'Hi {name}, thanks for calling. What can I do for you?',
   'You are a friendly phone assistant. The caller, {name}, is a lead who is not qualified yet. Learn what they need in a few short questions.'),
  ('inbound-unknown', 'Hello, thanks for calling. Who am I speaking with?',
   'You are a friendly phone assistant. The caller is not in our records. Ask their name and what they need, and offer a callback.')
ON CONFLICT (call_type) DO NOTHING;
