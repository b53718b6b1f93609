-- Nexmark q2: selection. The bids on every 123rd auction (Beam's default auctionSkip = 123; Flink writes
-- `MOD(auction, 123) = 0`). A filter that keeps few rows: about 1 bid in 123 on the random auctions, and whole runs of
-- bids when a hot auction (every 100th id, half of all bids) is a multiple of 123 too (ids 12300, 24600, ...).
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("auction" BIGINT, "price" BIGINT);
CREATE OR REPLACE PUMP "Q2_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "auction", "price"
  FROM "BID_001"
  WHERE MOD("auction", 123) = 0;
