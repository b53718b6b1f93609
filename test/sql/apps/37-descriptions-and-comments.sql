/*
 * Trade audit application.
 * Streams carry descriptions; columns that must be present are NOT NULL.
 */
CREATE OR REPLACE STREAM "AUDIT_STREAM" (
    "ORDER_ID" BIGINT NOT NULL,       -- from the order system
    "TICKER"   VARCHAR(4) NOT NULL,
    "AMOUNT"   DECIMAL(12, 2),        /* may be missing */
    "FLAGGED"  BOOLEAN
) DESCRIPTION 'Every order, with a flag for large ones';

CREATE OR REPLACE PUMP "AUDIT_PUMP" AS -- copy and flag
  INSERT INTO "AUDIT_STREAM"
  SELECT STREAM ORDER_ID, TICKER, AMOUNT, AMOUNT >= 10000.00 OR IS_ERROR
  FROM "SOURCE_SQL_STREAM_001"
  WHERE ORDER_ID IS NOT NULL;
