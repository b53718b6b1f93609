-- Several named sliding windows in one query.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  ticker_symbol VARCHAR(4), price REAL, avg_1m REAL, max_1m REAL, min_10s REAL, n_1m BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol, price,
         AVG(price) OVER last_minute,
         MAX(price) OVER last_minute,
         MIN(price) OVER last_10s,
         COUNT(*) OVER last_minute
  FROM "SOURCE_SQL_STREAM_001"
  WINDOW last_minute AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING),
         last_10s AS (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING);
