-- CASE and || inside the pump's query: label each tick.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), label VARCHAR(64), bucket VARCHAR(8));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol,
    ticker_symbol || ' ' || CASE WHEN change > 0 THEN 'up' WHEN change < 0 THEN 'down' ELSE 'flat' END,
    CASE sector WHEN 'TECHNOLOGY' THEN 'tech' WHEN 'ENERGY' THEN 'energy' ELSE 'other' END
  FROM "SOURCE_SQL_STREAM_001";
