-- SQL201 at 5:17-5:25: no column named "Ticker"; did you mean TICKER?
-- SQL201 at 5:27-5:33: no column named USERID; did you mean "userId"?
CREATE OR REPLACE STREAM s (t VARCHAR(4), u VARCHAR(32));
CREATE OR REPLACE PUMP p AS INSERT INTO s
  SELECT STREAM "Ticker", userid FROM "SOURCE_SQL_STREAM_001";
