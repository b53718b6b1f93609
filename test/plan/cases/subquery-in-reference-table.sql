-- Subqueries over a reference table: an IN set (with its own WHERE) and a scalar subquery in the select list, each
-- planned as a table plan under the node that uses it, and evaluated once when the pump starts.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price REAL, founded INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "TICKER_SYMBOL", "PRICE", (SELECT "Founded" FROM "CompanyName" WHERE "Ticker" = 'AMZN')
  FROM "SOURCE_SQL_STREAM_001"
  WHERE "TICKER_SYMBOL" NOT IN (SELECT "Ticker" FROM "CompanyName" WHERE "Founded" > 1990);
