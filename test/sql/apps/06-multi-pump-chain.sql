-- Source → cleaned → per-minute aggregate → destination: three pumps in a chain.
CREATE OR REPLACE STREAM cleaned (ticker VARCHAR(4), price REAL, change REAL);
CREATE OR REPLACE STREAM per_minute (ticker VARCHAR(4), minute_start TIMESTAMP, avg_price REAL, n BIGINT);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), minute_start TIMESTAMP, avg_price REAL);

CREATE OR REPLACE PUMP clean_pump AS INSERT INTO cleaned
  SELECT STREAM UPPER(TRIM(ticker_symbol)), price, change
  FROM source_sql_stream_001
  WHERE price IS NOT NULL AND price > 0;

CREATE OR REPLACE PUMP minute_pump AS INSERT INTO per_minute
  SELECT STREAM ticker, FLOOR(c.ROWTIME TO MINUTE), AVG(price), COUNT(*)
  FROM cleaned AS c
  GROUP BY ticker, FLOOR(c.ROWTIME TO MINUTE);

CREATE OR REPLACE PUMP output_pump AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker, minute_start, avg_price FROM per_minute WHERE n >= 5;
