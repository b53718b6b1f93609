-- Nexmark q0: pass-through. Every bid goes to the output unchanged; measures the cost of reading, moving and writing
-- rows with no computation. Same as Flink's `INSERT INTO discard_sink SELECT auction, bidder, price, dateTime, extra
-- FROM bid`, plus Flink's newer channel and url columns.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  "auction" BIGINT, "bidder" BIGINT, "price" BIGINT, "channel" VARCHAR(16), "url" VARCHAR(128), "dateTime" TIMESTAMP,
  "extra" VARCHAR(1024));
CREATE OR REPLACE PUMP "Q0_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "auction", "bidder", "price", "channel", "url", "dateTime", "extra"
  FROM "BID_001";
