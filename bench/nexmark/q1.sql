-- Nexmark q1: currency conversion. Each bid's price, in US cents, converted to euro cents at the benchmark's fixed
-- rate of 0.908 (Beam's DOLLAR_TO_EURO; Flink writes `0.908 * price`). A projection with arithmetic on every row.
-- Flink's result type is DECIMAL(23, 3); KDA's DECIMAL stops at precision 19, which holds any price here
-- (at most 10^8 cents).
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  "auction" BIGINT, "bidder" BIGINT, "price" DECIMAL(19, 3), "dateTime" TIMESTAMP, "extra" VARCHAR(1024));
CREATE OR REPLACE PUMP "Q1_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "auction", "bidder", 0.908 * "price", "dateTime", "extra"
  FROM "BID_001";
