CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), company VARCHAR(32), city VARCHAR(32), price REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM s.ticker_symbol, c."Company", c."City", s.price
  FROM "SOURCE_SQL_STREAM_001" AS s
  LEFT JOIN "CompanyName" AS c ON s.ticker_symbol = c."Ticker";
