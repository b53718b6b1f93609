-- SQL207 at 2:41-2:64: SOURCE_SQL_STREAM_002 is a source stream (filled from the input); a pump inserts into an in-application stream
CREATE OR REPLACE PUMP p AS INSERT INTO "SOURCE_SQL_STREAM_002" SELECT STREAM * FROM "SOURCE_SQL_STREAM_001";
