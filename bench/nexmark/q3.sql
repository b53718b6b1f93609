-- Nexmark q3: local item suggestion. Who is selling in category 10 in Oregon, Idaho or California: each auction of
-- category 10 joined to its seller, kept when the seller lives in OR, ID or CA.
--
-- Flink runs this as an unbounded join (and Beam keeps each person for maxAuctionsWaitingTime = 600 s). KDA joins
-- streams over a window, so each arriving auction meets the people of the last 10 seconds (Beam's default window
-- size). With the generator's defaults that loses nothing: a seller is one of the last 1,000 people (1 person in 50
-- events: 50,000 events, 5 s at 10,000 events/s) and is always created before their auction. Below 5,000 events/s
-- of event time (the generator's eventsPerSecond), widen the window in proportion.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  "name" VARCHAR(32), "city" VARCHAR(16), "state" VARCHAR(2), "id" BIGINT);
CREATE OR REPLACE PUMP "Q3_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM P."name", P."city", P."state", A."id"
  FROM "AUCTION_001" AS A
  JOIN "PERSON_001" OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS P
    ON A."seller" = P."id"
  WHERE A."category" = 10
    AND (P."state" = 'OR' OR P."state" = 'ID' OR P."state" = 'CA');
