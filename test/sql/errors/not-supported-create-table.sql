-- SQL105 at 2:8-2:13: CREATE TABLE is not supported: an application declares in-application streams (CREATE STREAM); reference tables come from the configuration
CREATE TABLE prices (t VARCHAR(4), p REAL);
