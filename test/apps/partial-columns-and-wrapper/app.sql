CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price REAL, note VARCHAR(8));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM" (ticker_symbol, price)
  SELECT t.sym, t.p FROM (SELECT STREAM ticker_symbol AS sym, price AS p FROM source_sql_stream_001 WHERE price > 40) AS t;
