-- SQL105 at 3:1-3:22: schemas are not supported: an application has one schema, and every stream lives in it
-- SQL105 at 4:1-4:21: schemas are not supported: an application has one schema, and every stream lives in it
CREATE SCHEMA trading;
SET SCHEMA 'trading';
