CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price REAL, lot_size INTEGER, lot_value DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM s.ticker_symbol, s.price, r.lot, s.price * r.lot
  FROM "SOURCE_SQL_STREAM_001" AS s
  JOIN "LOTS" AS r ON s.ticker_symbol = r.ticker
  WHERE s.price > 11;
