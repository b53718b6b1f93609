-- An RCF pipeline: pre-aggregate per 10 seconds, score, keep anomalies, add context.
CREATE OR REPLACE STREAM per_10s (sector VARCHAR(16), avg_change DOUBLE, trades BIGINT);
CREATE OR REPLACE STREAM scored (sector VARCHAR(16), avg_change DOUBLE, trades BIGINT, anomaly_score DOUBLE);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (sector VARCHAR(16), anomaly_score DOUBLE, detected_at TIMESTAMP);
CREATE OR REPLACE PUMP agg_pump AS INSERT INTO per_10s
  SELECT STREAM sector, AVG(change), COUNT(*)
  FROM source_sql_stream_001
  GROUP BY sector, STEP(source_sql_stream_001.ROWTIME BY INTERVAL '10' SECOND);
CREATE OR REPLACE PUMP rcf_pump AS INSERT INTO scored
  SELECT STREAM sector, avg_change, trades, anomaly_score
  FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM per_10s), 50, 128, 1000, 4));
CREATE OR REPLACE PUMP alert_pump AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM sector, anomaly_score, CURRENT_ROW_TIMESTAMP()
  FROM scored WHERE anomaly_score > 3.0;
