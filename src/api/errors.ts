import { SluiceError } from '../util/errors.js';

/**
 * An error as it goes on the wire: an AWS error code (`__type`), a message and an HTTP status. Protocol-level codes
 * (UnknownOperationException, SerializationException, ...) are raised here; the log's SluiceErrors are mapped by
 * `toApiError`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const serializationError = (message: string) => new ApiError('SerializationException', message);
export const unknownOperation = (message: string) => new ApiError('UnknownOperationException', message);

/** Any error a handler throws, as the error the client gets. Unexpected errors become InternalFailureException (500). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof SluiceError) {
    // The log names its codes as AWS does; its one internal code is InternalFailure, the wire's InternalFailureException.
    if (err.code === 'InternalFailure') return new ApiError('InternalFailureException', err.message, 500);
    return new ApiError(err.code, err.message);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('InternalFailureException', `Internal failure: ${message}`, 500);
}
