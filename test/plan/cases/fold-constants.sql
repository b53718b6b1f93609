-- fold_constants: arithmetic on literals, string concatenation and casts of literals are computed once.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (label VARCHAR(32), price REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM 'ticker ' || 'is ' || "TICKER_SYMBOL", "PRICE" * (60 * 60 * 24)
  FROM "SOURCE_SQL_STREAM_001"
  WHERE "CHANGE" > CAST('1.5' AS REAL) - 0.5;
