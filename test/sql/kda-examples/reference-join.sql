-- doc: FROM s LEFT JOIN "CompanyName" AS c ON s.ticker_symbol = c."Ticker"
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" VARCHAR(64), price REAL);
CREATE OR REPLACE STREAM s (ticker_symbol VARCHAR(4), price REAL);
CREATE OR REPLACE PUMP "COPY_PUMP" AS INSERT INTO s SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM s.ticker_symbol, c."Company", s.price
  FROM s LEFT JOIN "CompanyName" AS c ON s.ticker_symbol = c."Ticker";
