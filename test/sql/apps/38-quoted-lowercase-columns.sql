-- Lower-case source columns stay quoted; "ticker_symbol" and TICKER_SYMBOL are different columns.
CREATE OR REPLACE STREAM "destination_sql_stream" ("ticker_symbol" VARCHAR(8), "upper_symbol" VARCHAR(4), "user" VARCHAR(32));
CREATE OR REPLACE PUMP "stream_pump" AS INSERT INTO "destination_sql_stream"
  SELECT STREAM "ticker_symbol", TICKER_SYMBOL, "userId"
  FROM "SOURCE_SQL_STREAM_001"
  WHERE "ticker_symbol" <> TICKER_SYMBOL;
