-- SQL205 at 2:41-2:55: error_stream is written by the system only; a pump cannot insert into it
CREATE OR REPLACE PUMP p AS INSERT INTO "error_stream" (MESSAGE) SELECT STREAM TICKER FROM "SOURCE_SQL_STREAM_001";
