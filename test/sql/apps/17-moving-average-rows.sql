-- Moving average of the last 20 ticks per symbol, and the deviation from it.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price REAL, moving_avg REAL, deviation REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol, price,
    AVG(price) OVER (PARTITION BY ticker_symbol ROWS 20 PRECEDING),
    price - AVG(price) OVER (PARTITION BY ticker_symbol ROWS BETWEEN 20 PRECEDING AND CURRENT ROW)
  FROM "SOURCE_SQL_STREAM_001";
