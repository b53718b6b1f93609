-- Nexmark q5: hot items. Which auctions got the most bids in the last 10 seconds, every 2 seconds (Flink's hopping
-- window: slide 2 s, size 10 s).
--   1. AUCTION_BIDS: bids per auction per hopping window, with the Flink-style HOP group window (a Sluice extension;
--      KDA has no hopping GROUP BY). Each window's rows are emitted together, with ROWTIME = the window's end.
--   2. MAX_BIDS: the largest count of each window: a tumbling GROUP BY over the 2-second steps of ROWTIME, in which
--      all the rows of one window fall together (emitted 2 s after the window's end).
--   3. each window maximum is joined to the counts of its window (RANGE 2 s back covers them) and the auctions that
--      reach it are output. As in Flink, ties all come out.
-- Flink writes the same three steps as one statement with subqueries; KDA's idiom is one pump per step.
CREATE OR REPLACE STREAM "AUCTION_BIDS" ("auction" BIGINT, "num" BIGINT, "starttime" TIMESTAMP, "endtime" TIMESTAMP);
CREATE OR REPLACE STREAM "MAX_BIDS" ("maxn" BIGINT, "starttime" TIMESTAMP);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("auction" BIGINT, "num" BIGINT);
CREATE OR REPLACE PUMP "Q5_AUCTION_BIDS" AS INSERT INTO "AUCTION_BIDS"
  SELECT STREAM "auction", COUNT(*),
    HOP_START(ROWTIME, INTERVAL '2' SECOND, INTERVAL '10' SECOND),
    HOP_END(ROWTIME, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
  FROM "BID_001"
  GROUP BY "auction", HOP(ROWTIME, INTERVAL '2' SECOND, INTERVAL '10' SECOND);
CREATE OR REPLACE PUMP "Q5_MAX_BIDS" AS INSERT INTO "MAX_BIDS"
  SELECT STREAM MAX("num"), "starttime"
  FROM "AUCTION_BIDS"
  GROUP BY "starttime", STEP("AUCTION_BIDS".ROWTIME BY INTERVAL '2' SECOND);
CREATE OR REPLACE PUMP "Q5_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM C."auction", C."num"
  FROM "MAX_BIDS" AS M
  JOIN "AUCTION_BIDS" OVER (RANGE INTERVAL '2' SECOND PRECEDING) AS C
    ON C."starttime" = M."starttime"
  WHERE C."num" >= M."maxn";
