/**
 * Every error Sluice raises on purpose is a SluiceError with an AWS-style code, so the server can send it on the wire
 * unchanged and embedders can branch on `code` without parsing messages.
 */
export type ErrorCode =
  | 'ResourceNotFoundException'
  | 'ResourceInUseException'
  | 'InvalidArgumentException'
  | 'LimitExceededException'
  | 'ProvisionedThroughputExceededException'
  | 'ExpiredIteratorException'
  | 'ValidationException'
  | 'InternalFailure';

export class SluiceError extends Error {
  override readonly name = 'SluiceError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field the error is about, when there is one (e.g. `PartitionKey`). */
    readonly field?: string,
  ) {
    super(message);
  }
}

export const notFound = (message: string, field?: string) => new SluiceError('ResourceNotFoundException', message, field);
export const inUse = (message: string, field?: string) => new SluiceError('ResourceInUseException', message, field);
export const invalidArgument = (message: string, field?: string) =>
  new SluiceError('InvalidArgumentException', message, field);
export const limitExceeded = (message: string, field?: string) => new SluiceError('LimitExceededException', message, field);
