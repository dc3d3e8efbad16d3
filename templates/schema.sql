-- create-sip-inbound schema: the tables the agent reads and writes.
-- Safe to run more than once; it also upgrades an older table by adding the columns the wizard writes.
-- Run it in Supabase -> SQL Editor (as postgres, which then owns the tables).

CREATE TABLE IF NOT EXISTS signalwire_phone_numbers (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number       text NOT NULL UNIQUE,
  name         text,
  status       text NOT NULL DEFAULT 'active',
  stt_provider text,
  stt_model    text,
  tts_provider text,
  tts_voice    text,
  llm_provider text,
  llm_model    text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS name text;
ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS status text DEFAULT 'active';
ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS stt_provider text;
ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS stt_model text;
ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS tts_provider text;
ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS tts_voice text;
ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS llm_provider text;
ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS llm_model text;
ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS created_at timestamptz DEFAULT now();
ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS updated_at timestamptz DEFAULT now();
-- The number's carrier (signalwire, twilio, telnyx); empty means SignalWire.
ALTER TABLE signalwire_phone_numbers ADD COLUMN IF NOT EXISTS carrier text;

-- A unique number lets ON CONFLICT (number) work. An older table holding duplicates keeps working
-- without it (the wizard's SQL does not need it); remove the duplicates and run this again to add it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM signalwire_phone_numbers GROUP BY number HAVING count(*) > 1) THEN
    CREATE UNIQUE INDEX IF NOT EXISTS signalwire_phone_numbers_number_key ON signalwire_phone_numbers (number);
  END IF;
END
$$;

CREATE TABLE IF NOT EXISTS interactions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at    timestamptz NOT NULL DEFAULT now(),
  phone_number  text,
  caller_number text,
  direction     text DEFAULT 'inbound',
  room_name     text,
  call_id       text,
  status        text,
  duration_seconds integer,
  transcript    jsonb,
  metadata      jsonb
);

-- What the starter agent records of each call (see docs/agent-report.md): the call type, the providers it ran,
-- their usage and an estimated cost. One row per call: the agent writes it again with the same call_id.
-- An older or hand-made table gains every column the agent writes, its rows kept.
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS created_at timestamptz DEFAULT now();
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS phone_number text;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS caller_number text;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS direction text DEFAULT 'inbound';
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS room_name text;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS call_id text;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS status text;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS duration_seconds integer;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS transcript jsonb;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS metadata jsonb;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS call_type text;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS providers jsonb;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS usage jsonb;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS cost_usd numeric(10, 5);
CREATE INDEX IF NOT EXISTS interactions_created_at_idx ON interactions (created_at);
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM interactions WHERE call_id IS NOT NULL GROUP BY call_id HAVING count(*) > 1) THEN
    CREATE UNIQUE INDEX IF NOT EXISTS interactions_call_id_key ON interactions (call_id);
  END IF;
END
$$;

-- Who is calling: a caller found here by phone (E.164) is a qualified or unqualified lead; anyone else is unknown.
CREATE TABLE IF NOT EXISTS leads (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  phone       text NOT NULL UNIQUE,
  name        text,
  qualified   boolean NOT NULL DEFAULT false,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The prompt for each call type: {name} and any key of the lead's details are filled in by the agent.
CREATE TABLE IF NOT EXISTS call_prompts (
  call_type    text PRIMARY KEY CHECK (call_type IN ('inbound-qualified', 'inbound-unqualified', 'inbound-unknown')),
  greeting     text NOT NULL,
  instructions text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Callbacks the agent books for a caller (its book_callback tool).
CREATE TABLE IF NOT EXISTS callbacks (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  phone         text NOT NULL,
  caller_name   text,
  requested_for text,
  notes         text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Supabase no longer grants a new table in public to its API roles (all projects since 2026-10-30):
-- without these grants every request, even with the service-role key the wizard and the agent use,
-- answers 42501 "permission denied". The sequences line covers an older table with a serial id.
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE signalwire_phone_numbers TO service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE interactions TO service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE leads TO service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE call_prompts TO service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE callbacks TO service_role;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO service_role;

-- Row level security on, with no policy: the anon and authenticated keys (public in any browser app)
-- read and write nothing; service_role bypasses it.
ALTER TABLE signalwire_phone_numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE interactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_prompts ENABLE ROW LEVEL SECURITY;
ALTER TABLE callbacks ENABLE ROW LEVEL SECURITY;

-- The Data API sees new tables and columns at once (Supabase reloads on DDL; this covers self-hosting).
NOTIFY pgrst, 'reload schema';
