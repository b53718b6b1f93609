-- Stream-to-stream join: each trade meets the last 10 quotes of its ticker.
CREATE OR REPLACE STREAM quotes (ticker VARCHAR(4), bid REAL);
CREATE OR REPLACE STREAM trades (ticker VARCHAR(4), price REAL, quantity INTEGER);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price REAL, bid REAL, spread REAL);
CREATE OR REPLACE PUMP quotes_pump AS INSERT INTO quotes SELECT STREAM TICKER, PRICE * 0.99 FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE PUMP trades_pump AS INSERT INTO trades SELECT STREAM TICKER, PRICE, QUANTITY FROM "SOURCE_SQL_STREAM_002";
CREATE OR REPLACE PUMP join_pump AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM t.ticker, t.price, q.bid, t.price - q.bid
  FROM trades AS t
  JOIN quotes OVER (PARTITION BY ticker ROWS 10 PRECEDING) AS q ON t.ticker = q.ticker;
