-- SQL304 at 3:33-3:47: DECIMAL precision must be between 1 and 19, not 38
-- SQL304 at 3:53-3:66: DECIMAL scale 6 is larger than its precision 4
CREATE OR REPLACE STREAM s (big DECIMAL(38, 2), odd DECIMAL(4, 6));
