-- push_down_filter moves the outer WHERE below the projection of the subquery, and merge_projections makes one
-- projection of the two.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), doubled REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM t, p * 2 FROM (SELECT STREAM "TICKER_SYMBOL" AS t, "PRICE" + 1 AS p FROM "SOURCE_SQL_STREAM_001") AS x
  WHERE x.p > 10;
