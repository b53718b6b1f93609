-- Nexmark q7: highest bid. The bid(s) with the highest price in each 10-second tumbling window.
--   1. MAX_PRICE: the highest price of each window, a tumbling GROUP BY STEP(ROWTIME BY INTERVAL '10' SECOND),
--      emitted with ROWTIME = the window's end.
--   2. each window maximum is joined to the bids of the last 10 seconds with that price, kept when the bid is in
--      that window (Flink: `B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime`, whose inclusive
--      end also admits a bid at exactly the next window's start; here the window is half-open, as STEP's is).
CREATE OR REPLACE STREAM "MAX_PRICE" ("maxprice" BIGINT, "starttime" TIMESTAMP);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  "auction" BIGINT, "price" BIGINT, "bidder" BIGINT, "dateTime" TIMESTAMP, "extra" VARCHAR(1024));
CREATE OR REPLACE PUMP "Q7_MAX_PRICE" AS INSERT INTO "MAX_PRICE"
  SELECT STREAM MAX("price"), STEP("BID_001".ROWTIME BY INTERVAL '10' SECOND)
  FROM "BID_001"
  GROUP BY STEP("BID_001".ROWTIME BY INTERVAL '10' SECOND);
CREATE OR REPLACE PUMP "Q7_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM B."auction", B."price", B."bidder", B."dateTime", B."extra"
  FROM "MAX_PRICE" AS M
  JOIN "BID_001" OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS B
    ON B."price" = M."maxprice"
  WHERE B.ROWTIME >= M."starttime" AND B.ROWTIME < M."starttime" + INTERVAL '10' SECOND;
