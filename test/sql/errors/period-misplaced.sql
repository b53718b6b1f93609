-- SQL409 at 5:17-5:44: a period, PERIOD(start, end) or (start, end), is only an operand of a temporal predicate (OVERLAPS, CONTAINS, PRECEDES, ...)
-- SQL409 at 5:47-5:71: a period, PERIOD(start, end) or (start, end), is only an operand of a temporal predicate (OVERLAPS, CONTAINS, PRECEDES, ...)
CREATE OR REPLACE STREAM s (flag BOOLEAN);
CREATE OR REPLACE PUMP p AS INSERT INTO s
  SELECT STREAM PERIOD(EVENT_TIME, ROWTIME) = PERIOD(ROWTIME, ROWTIME)
  FROM "SOURCE_SQL_STREAM_001";
