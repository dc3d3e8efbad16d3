-- Registers {{e164}} for the agent, or updates its row. Run it as often as you like: one row remains.
-- It needs no unique constraint on "number": it updates the row where it matches, and inserts otherwise.
-- An update sets only the values given (and updated_at, where the table has it); a new row gets the defaults.
DO $TAG$
DECLARE
  matched integer;
BEGIN
  UPDATE signalwire_phone_numbers
     SET {{assignments}}
   WHERE number IN ({{match}});
  GET DIAGNOSTICS matched = ROW_COUNT;
  IF matched = 0 THEN
    INSERT INTO signalwire_phone_numbers ({{columns}})
    VALUES ({{values}});
  ELSIF EXISTS (SELECT 1 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = {{table}} AND column_name = 'updated_at') THEN
    UPDATE signalwire_phone_numbers SET updated_at = now() WHERE number = {{number}};
  END IF;
END
$TAG$;
