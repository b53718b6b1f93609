-- SQL003 at 3:61-3:62: string literal is not closed; add a ' (write '' for a quote inside it)
CREATE OR REPLACE STREAM s (a VARCHAR(8));
CREATE OR REPLACE PUMP p AS INSERT INTO s SELECT STREAM 'it''s open FROM "SOURCE_SQL_STREAM_001";
