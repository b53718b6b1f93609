/** Type names as written in an input schema's SqlType (the same spellings application code accepts). */
import type { TypeKind } from './types.js';

export const TYPE_NAMES_FOR_CONFIG: Record<string, TypeKind> = {
  BOOLEAN: 'BOOLEAN', TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', INTEGER: 'INTEGER', INT: 'INTEGER', BIGINT: 'BIGINT',
  REAL: 'REAL', DOUBLE: 'DOUBLE', 'DOUBLE PRECISION': 'DOUBLE', DECIMAL: 'DECIMAL', DEC: 'DECIMAL', NUMERIC: 'DECIMAL',
  CHAR: 'CHAR', CHARACTER: 'CHAR', VARCHAR: 'VARCHAR', 'CHARACTER VARYING': 'VARCHAR', 'CHAR VARYING': 'VARCHAR',
  BINARY: 'BINARY', VARBINARY: 'VARBINARY', DATE: 'DATE', TIME: 'TIME', TIMESTAMP: 'TIMESTAMP',
};
