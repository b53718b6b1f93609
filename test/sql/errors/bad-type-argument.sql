-- SQL102 at 3:34-3:44: BOOLEAN takes no length
-- SQL102 at 3:51-3:61: VARCHAR length must be at least 1
CREATE OR REPLACE STREAM s (flag BOOLEAN(1), name VARCHAR(0));
