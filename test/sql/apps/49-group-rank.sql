-- Rank each minute's per-ticker averages, highest first, with GROUP_RANK (the reference's sorting function).
CREATE OR REPLACE STREAM "AVG_PER_MINUTE" ("ticker" VARCHAR(4), "avgPrice" INTEGER, "trades" INTEGER);
CREATE OR REPLACE STREAM "RANKED" ("ticker" VARCHAR(4), "avgPrice" INTEGER, "trades" INTEGER, "groupRank" INTEGER);

CREATE OR REPLACE PUMP "AVG_PUMP" AS INSERT INTO "AVG_PER_MINUTE"
  SELECT STREAM ticker_symbol, CAST(AVG(price) AS INTEGER), COUNT(*)
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY ticker_symbol, FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE);

CREATE OR REPLACE PUMP "RANK_PUMP" AS INSERT INTO "RANKED"
  SELECT STREAM "ticker", "avgPrice", "trades", r."groupRank"
  FROM TABLE(GROUP_RANK(
    CURSOR(SELECT STREAM * FROM "AVG_PER_MINUTE"),
    'avgPrice', 'groupRank', 'desc', 'asc', 5000, 0)) AS r
  WHERE r."groupRank" <= 3;
