-- SQL300 at 5:54-5:59: the right operand of CONTAINS must be a period, PERIOD(start, end) of two TIMESTAMPs or a TIMESTAMP, not REAL
-- SQL409 at 7:9-7:30: a period, PERIOD(start, end) or (start, end), is only an operand of a temporal predicate (OVERLAPS, CONTAINS, PRECEDES, ...)
CREATE OR REPLACE STREAM s (flag BOOLEAN);
CREATE OR REPLACE PUMP p AS INSERT INTO s
  SELECT STREAM PERIOD(EVENT_TIME, ROWTIME) CONTAINS PRICE
  FROM "SOURCE_SQL_STREAM_001"
  WHERE (EVENT_TIME, ROWTIME) IS NOT NULL;
