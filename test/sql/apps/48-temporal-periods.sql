-- Sessions whose activity window overlaps a maintenance window, and late events: temporal predicates over periods.
CREATE OR REPLACE STREAM "SESSION_STREAM" (session_id VARCHAR(32), started TIMESTAMP, ended TIMESTAMP);
CREATE OR REPLACE STREAM "FLAGGED" (session_id VARCHAR(32), overlaps_maintenance BOOLEAN, late BOOLEAN, leads BOOLEAN);
CREATE OR REPLACE STREAM "CLEAN_MATCHES" (session_id VARCHAR(32), code VARCHAR(16));

CREATE OR REPLACE PUMP "SESSION_PUMP" AS INSERT INTO "SESSION_STREAM"
  SELECT STREAM "userId", EVENT_TIME, EVENT_TIME + INTERVAL '5' MINUTE
  FROM "SOURCE_SQL_STREAM_001";

CREATE OR REPLACE PUMP "FLAG_PUMP" AS INSERT INTO "FLAGGED"
  SELECT STREAM s.session_id,
         PERIOD(s.started, s.ended) OVERLAPS PERIOD(TIMESTAMP '2026-11-25 02:00:00', TIMESTAMP '2026-11-25 03:00:00'),
         PERIOD(s.started, s.ended) STRICTLY SUCCEEDS PERIOD(s.ROWTIME - INTERVAL '1' HOUR, s.ROWTIME),
         PERIOD(s.started, s.ended) immediately leads period(s.started, s.ROWTIME)
  FROM "SESSION_STREAM" AS s
  WHERE PERIOD(s.started, s.ended) CONTAINS PERIOD(s.started, s.started)
     OR NOT PERIOD(s.started, s.ended) EQUALS PERIOD(s.ROWTIME, s.ROWTIME)
     OR PERIOD(s.started, s.ended) IMMEDIATELY PRECEDES PERIOD(s.ended, s.ROWTIME)
     OR PERIOD(s.started, s.ended) STRICTLY CONTAINS PERIOD(s.started, s.ended) AND PERIOD(s.started, s.ended) LAGS PERIOD(s.started, s.ended)
     OR PERIOD(s.started, s.ended) STRICTLY OVERLAPS PERIOD(s.started, s.ended)
     OR PERIOD(s.started, s.ended) PRECEDES PERIOD(s.ended, s.ended)
     OR PERIOD(s.started, s.ended) SUCCEEDS PERIOD(s.started, s.started)
     OR PERIOD(s.started, s.ended) IMMEDIATELY SUCCEEDS PERIOD(s.started, s.started)
     OR PERIOD(s.started, s.ended) LEADS PERIOD(s.started, s.ended)
     OR PERIOD(s.started, s.ended) STRICTLY PRECEDES PERIOD(s.ended, s.ended)
     OR PERIOD(s.started, s.ended) STRICTLY LEADS PERIOD(s.started, s.ended)
     OR PERIOD(s.started, s.ended) STRICTLY LAGS PERIOD(s.started, s.ended)
     OR PERIOD(s.started, s.ended) IMMEDIATELY LAGS PERIOD(s.started, s.ended)
     -- KDA's shorthands: PERIOD omitted, compact chaining (… PRECEDES p2 PRECEDES p3), CONTAINS a single TIMESTAMP
     OR (s.started, s.ended) PRECEDES (s.ended, s.ROWTIME) PRECEDES PERIOD(s.ROWTIME, CURRENT_ROW_TIMESTAMP)
     OR PERIOD(s.started, s.ended) CONTAINS s.ROWTIME;

-- SUBSTRING by regular expression (SIMILAR TO pattern with "-quoted middle), and `equals` still a plain name.
CREATE OR REPLACE PUMP "CODE_PUMP" AS INSERT INTO "CLEAN_MATCHES"
  SELECT STREAM equals, SUBSTRING(equals SIMILAR '%#"[A-Z]{3}-[0-9]+#"%' ESCAPE '#')
  FROM (SELECT STREAM "userId" AS equals FROM "SOURCE_SQL_STREAM_001") AS leads;
