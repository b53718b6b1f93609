/**
 * How SQL values look in JavaScript while a query runs. Compiled expressions, aggregates, the scalar function library
 * and the reference evaluator in the tests all use these conventions, so a value can pass between them unconverted:
 *
 * | SQL type                                   | JS value                                         |
 * |--------------------------------------------|--------------------------------------------------|
 * | BOOLEAN                                    | boolean                                          |
 * | TINYINT SMALLINT INTEGER BIGINT REAL DOUBLE DECIMAL | number (BIGINT exact up to 2^53; DECIMAL is computed in double precision) |
 * | CHAR VARCHAR                               | string                                           |
 * | BINARY VARBINARY                           | Uint8Array                                       |
 * | TIMESTAMP                                  | number: milliseconds since the epoch, UTC        |
 * | DATE                                       | number: milliseconds since the epoch at 00:00 UTC |
 * | TIME                                       | number: milliseconds since midnight              |
 * | INTERVAL (day-time)                        | number: milliseconds                             |
 * | NULL of any type                           | null                                             |
 */
export type Value = boolean | number | string | Uint8Array | null;

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/**
 * A row-level failure while evaluating an expression (division by zero, a failed conversion, a value out of range).
 * The row goes to error_stream with `errorName` and the message; the rest of the batch goes on.
 */
export class SqlRuntimeError extends Error {
  constructor(
    readonly errorName: RuntimeErrorName,
    message: string,
  ) {
    super(message);
    this.name = 'SqlRuntimeError';
  }
}

/** ERROR_NAME values of rows that fail while a pump evaluates them. */
export type RuntimeErrorName =
  | 'DIVISION_BY_ZERO'
  | 'CONVERSION_FAILED'
  | 'NUMERIC_OUT_OF_RANGE'
  | 'INVALID_ARGUMENT'
  | 'ROWTIME_OUT_OF_ORDER';

/**
 * Every ERROR_NAME Sluice writes to error_stream (VARCHAR(32)): the run-time ones, and those of input records the
 * application could not use (the schema mapping refused them, or the preprocessing function answered
 * ProcessingFailed or nothing).
 */
export type ErrorName = RuntimeErrorName | 'MAPPING_FAILED' | 'PREPROCESSING_FAILED';
