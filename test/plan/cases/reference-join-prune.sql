-- A reference join: the stream-only part of WHERE goes below the join (push_down_filter), and the join carries only
-- the table columns used above it (push_down_projection drops "Founded").
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), company VARCHAR(64), price REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM s."TICKER_SYMBOL", c."Company", s."PRICE"
  FROM "SOURCE_SQL_STREAM_001" AS s LEFT JOIN "CompanyName" AS c ON s."TICKER_SYMBOL" = c."Ticker"
  WHERE s."PRICE" > 50 AND c."Company" IS NOT NULL;
