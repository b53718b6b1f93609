-- SQL101 at 3:34-3:40: unknown type STRING; did you mean VARCHAR?
-- SQL101 at 3:48-3:53: unknown type FLAOT
CREATE OR REPLACE STREAM s (name STRING, price FLAOT);
