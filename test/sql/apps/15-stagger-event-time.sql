-- Stagger window keyed by event-time minute and ticker: late rows still land in their own minute.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    event_time TIMESTAMP,
    ticker VARCHAR(4),
    ticker_count INTEGER,
    avg_price REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM
        FLOOR(EVENT_TIME TO MINUTE),
        TICKER,
        COUNT(*) AS ticker_count,
        AVG(PRICE) AS avg_price
    FROM "SOURCE_SQL_STREAM_001"
    WHERE PRICE BETWEEN 0 AND 100
    WINDOWED BY STAGGER (
        PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER RANGE INTERVAL '1' MINUTE)
    HAVING COUNT(*) > 1;
