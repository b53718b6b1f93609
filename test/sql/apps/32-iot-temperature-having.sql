-- IoT: per-sensor average temperature per minute, only when it runs hot.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("sensorId" VARCHAR(16), avg_temp DOUBLE, max_temp DOUBLE, readings BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "sensorId", AVG("temperature"), MAX("temperature"), COUNT("temperature")
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY "sensorId", FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE)
  HAVING AVG("temperature") > 75.0;
