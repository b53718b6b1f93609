import { ApiError } from './errors.js';
import type { CompiledModel, Encoding } from './model.js';

/**
 * One AWS service on the shared endpoint: its target prefix (`Kinesis_20131202`, later `Firehose_20150804` and
 * `KinesisAnalytics_20150814`), its model (which validates every request before a handler runs, and shapes every
 * reply), and one handler per operation.
 */
export interface Service {
  /** The part of `X-Amz-Target` before the dot. */
  readonly targetPrefix: string;
  readonly model: CompiledModel;
  /** Whether the service takes `application/x-amz-cbor-1.1` bodies (Kinesis does; the others speak JSON only). */
  readonly cbor: boolean;
  /** Handlers by operation name. Their input has passed the model's checks; their output is shaped by the model. */
  readonly operations: Readonly<Record<string, OperationHandler>>;
}

export interface RequestContext {
  requestId: string;
  encoding: Encoding;
  httpVersion: '1.1' | '2.0';
  /**
   * The access key and region of the request's SigV4 credential scope, when it has one (verified with `--auth`, taken
   * as given otherwise). They choose the account and region whose resources the request sees.
   */
  accessKeyId?: string;
  region?: string;
}

/**
 * A reply body a handler has already written in the request's encoding (a fast path for large replies such as
 * GetRecords); the model's output shaping is skipped for it.
 */
export class EncodedOutput {
  constructor(readonly body: Buffer) {}
}

export type OperationHandler = (input: Record<string, any>, context: RequestContext) => Promise<object | void> | object | void;

/**
 * A service whose resources are kept apart per account and region: each request is handed to the instance
 * `instanceFor` gives for its context (e.g. one per credential scope). Every operation of the model is routed.
 */
export function perTenant(base: Pick<Service, 'targetPrefix' | 'model' | 'cbor'>, instanceFor: (context: RequestContext) => Promise<Service>): Service {
  const operations: Record<string, OperationHandler> = {};
  for (const op of Object.keys(base.model.model.operations)) {
    operations[op] = async (input, context) => {
      const handler = (await instanceFor(context)).operations[op];
      if (!handler) throw new ApiError('UnknownOperationException', `Operation ${op} has no handler`);
      return handler(input, context);
    };
  }
  return { targetPrefix: base.targetPrefix, model: base.model, cbor: base.cbor, operations };
}
