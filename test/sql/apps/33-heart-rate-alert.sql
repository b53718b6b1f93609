-- Alert when a user's heart rate stays high over the last 30 seconds (sliding window in a subquery).
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (user_id VARCHAR(32), avg_rate INTEGER, alert VARCHAR(64));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM user_id, avg_rate, 'sustained high heart rate: ' || CAST(avg_rate AS VARCHAR(8))
  FROM (
    SELECT STREAM "userId" AS user_id,
      AVG("heartRate") OVER (PARTITION BY "userId" RANGE INTERVAL '30' SECOND PRECEDING) AS avg_rate
    FROM "SOURCE_SQL_STREAM_001"
  ) AS r
  WHERE avg_rate > 160;
