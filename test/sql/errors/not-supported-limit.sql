-- SQL105 at 3:93-3:98: LIMIT is not part of KDA SQL: a stream has no end to count from (filter with WHERE, or rank in a window)
CREATE OR REPLACE STREAM s (t VARCHAR(4));
CREATE OR REPLACE PUMP p AS INSERT INTO s SELECT STREAM TICKER FROM "SOURCE_SQL_STREAM_001" LIMIT 10;
