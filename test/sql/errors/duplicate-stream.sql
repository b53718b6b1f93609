-- SQL204 at 5:15-5:16: stream S already exists; use CREATE OR REPLACE STREAM to redefine it
-- SQL204 at 5:29-5:30: column A is declared twice
-- SQL204 at 5:39-5:46: every stream already has ROWTIME; do not declare it
CREATE STREAM s (a INTEGER);
CREATE STREAM s (a INTEGER, a BIGINT, ROWTIME TIMESTAMP);
