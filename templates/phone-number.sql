-- Registers {{number}} for the agent, or updates its row. Run it as often as you like: one row remains.
-- It needs no unique constraint on "number": it updates the row where it matches, and inserts otherwise.
WITH updated AS (
  UPDATE signalwire_phone_numbers
     SET {{assignments}}
   WHERE number IN ({{match}})
  RETURNING 1
)
INSERT INTO signalwire_phone_numbers ({{columns}})
SELECT {{values}}
 WHERE NOT EXISTS (SELECT 1 FROM updated);
