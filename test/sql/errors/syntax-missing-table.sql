-- SQL100 at 3:73-3:78: expected a stream, table or subquery but found 'WHERE'
CREATE OR REPLACE STREAM out_stream (a INTEGER);
CREATE OR REPLACE PUMP p AS INSERT INTO out_stream SELECT STREAM a FROM WHERE a > 1;
