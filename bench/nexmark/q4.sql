-- Nexmark q4: average closing price per category. An auction's closing price is its highest valid bid (one made
-- between the auction's start and its expiry; Flink's definition, Beam also wants the price to reach the reserve);
-- q4 averages closing prices per category.
--
-- Flink computes this with unbounded, retracting aggregates (every new bid may change an auction's maximum and so
-- the category average). KDA aggregates streams in windows, so here:
--   1. each bid is joined to its auction among the auctions of the last 10 seconds (the generator only bids on one
--      of the last 100 auctions created: 1,667 events, 0.17 s at 10,000 events/s), keeping the bids made within
--      the auction's life;
--   2. WINNING_BIDS: the highest of those bids per auction in each 10-second tumbling window (STEP);
--   3. the average of those maxima per category, per 10-second window of their arrival.
-- An auction that takes bids across a window boundary contributes one maximum per window it spans, and the average
-- is over the auctions with bids in the window rather than the auctions that closed in it: a windowed approximation
-- of Flink's result, not the same numbers.
CREATE OR REPLACE STREAM "WINNING_BIDS" ("auction" BIGINT, "category" BIGINT, "final" BIGINT);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("category" BIGINT, "avg_final" DOUBLE);
CREATE OR REPLACE PUMP "Q4_WINNING_BIDS" AS INSERT INTO "WINNING_BIDS"
  SELECT STREAM A."id", A."category", MAX(B."price")
  FROM "BID_001" AS B
  JOIN "AUCTION_001" OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS A
    ON A."id" = B."auction"
  WHERE B."dateTime" BETWEEN A."dateTime" AND A."expires"
  GROUP BY A."id", A."category", STEP(B.ROWTIME BY INTERVAL '10' SECOND);
CREATE OR REPLACE PUMP "Q4_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "category", AVG(CAST("final" AS DOUBLE))
  FROM "WINNING_BIDS"
  GROUP BY "category", STEP("WINNING_BIDS".ROWTIME BY INTERVAL '10' SECOND);
