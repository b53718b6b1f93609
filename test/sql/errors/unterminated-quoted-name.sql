-- SQL004 at 2:26-2:27: quoted name is not closed; add a "
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM (a INTEGER);
