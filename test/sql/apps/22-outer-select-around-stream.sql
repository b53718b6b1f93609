-- An outer SELECT without STREAM around a streaming subquery, filtering on a computed column.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), pct_change DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT ticker_symbol, pct_change
  FROM (
    SELECT STREAM ticker_symbol, change / price * 100 AS pct_change
    FROM "SOURCE_SQL_STREAM_001"
    WHERE price <> 0
  )
  WHERE ABS(pct_change) > 2.5;
