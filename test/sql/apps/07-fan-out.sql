-- One source, two destinations: gainers and losers.
CREATE OR REPLACE STREAM gainers (ticker_symbol VARCHAR(4), change REAL);
CREATE OR REPLACE STREAM losers (ticker_symbol VARCHAR(4), change REAL);
CREATE OR REPLACE PUMP gainers_pump AS INSERT INTO gainers
  SELECT STREAM ticker_symbol, change FROM "SOURCE_SQL_STREAM_001" WHERE change > 0;
CREATE OR REPLACE PUMP losers_pump AS INSERT INTO losers
  SELECT STREAM ticker_symbol, change FROM "SOURCE_SQL_STREAM_001" WHERE change < 0;
