-- Inner join with a reference table; flag trades above the company's risk limit.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), company VARCHAR(64), amount DECIMAL(12,2), over_limit BOOLEAN);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM s.TICKER, COALESCE(r."Company", 'unknown'), s.AMOUNT, s.AMOUNT > r.RISK_LIMIT
  FROM "SOURCE_SQL_STREAM_001" AS s
  JOIN "CompanyName" AS r ON s.TICKER = r."Ticker";
