-- Compare each tick with the previous one of the same symbol (LAG over a one-row window).
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price REAL, previous_price REAL, jump REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol, price, prev, ABS(price - prev)
  FROM (
    SELECT STREAM ticker_symbol, price, LAG(price, 1) OVER (PARTITION BY ticker_symbol ROWS 1 PRECEDING) AS prev
    FROM "SOURCE_SQL_STREAM_001"
  ) AS t
  WHERE prev IS NOT NULL AND ABS(price - prev) > prev * 0.05;
