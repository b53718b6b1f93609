-- ORDER BY on a stream: a Sort per 1-second bucket by price, descending; the ORDER BY key that is not in the select
-- list (CHANGE) is computed as an extra column and dropped after the sort.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "TICKER_SYMBOL", "PRICE" FROM "SOURCE_SQL_STREAM_001" AS s
  ORDER BY FLOOR(s.ROWTIME TO SECOND), "PRICE" DESC, "CHANGE";
