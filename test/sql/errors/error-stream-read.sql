-- SQL205 at 3:80-3:92: error_stream cannot be read by application code (KDA sends it to a destination only)
CREATE OR REPLACE STREAM errors_copy (msg VARCHAR(4096));
CREATE OR REPLACE PUMP p AS INSERT INTO errors_copy SELECT STREAM MESSAGE FROM error_stream;
