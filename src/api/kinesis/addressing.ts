import { createHash } from 'node:crypto';
import type { Log } from '../../log/index.js';
import { ApiError } from '../errors.js';

/**
 * How Kinesis requests name streams and consumers: StreamName, StreamARN or StreamId (any combination, which must
 * agree), ConsumerARN or StreamARN + ConsumerName, and ResourceARN (a stream's or a consumer's ARN).
 */
export interface StreamAddress {
  StreamName?: string;
  StreamARN?: string;
  StreamId?: string;
}

const STREAM_ARN = /^arn:aws[^:]*:kinesis:([^:]*):(\d{12}):stream\/([a-zA-Z0-9_.-]+)$/;
const CONSUMER_ARN = /^arn:aws[^:]*:kinesis:([^:]*):(\d{12}):stream\/([a-zA-Z0-9_.-]+)\/consumer\/([a-zA-Z0-9_.-]+):([0-9]+)$/;

export class Addressing {
  constructor(private readonly log: Log) {}

  private get region(): string {
    return this.log.options.region ?? 'us-east-1';
  }

  private get accountId(): string {
    return this.log.options.accountId ?? '000000000000';
  }

  /** The stream a request names. Raises ResourceNotFoundException for ARNs of another account or region. */
  async streamName(input: StreamAddress): Promise<string> {
    let name: string | undefined = input.StreamName;
    if (input.StreamARN !== undefined) {
      const fromArn = this.parseStreamArn(input.StreamARN);
      if (name !== undefined && name !== fromArn) throw invalid(`StreamName ${name} and StreamARN ${input.StreamARN} name different streams`);
      name = fromArn;
    }
    if (input.StreamId !== undefined) {
      const byId = await this.streamNameById(input.StreamId);
      if (name !== undefined && name !== byId) throw invalid(`StreamId ${input.StreamId} is not the id of stream ${name}`);
      name = byId;
    }
    if (name === undefined) throw invalid('Either StreamName or StreamARN must be provided');
    return name;
  }

  parseStreamArn(arn: string): string {
    const m = STREAM_ARN.exec(arn);
    if (!m) throw invalid(`${arn} is not a stream ARN`);
    this.checkScope(m[1]!, m[2]!, `Stream ${m[3]} under account ${m[2]} not found.`);
    return m[3]!;
  }

  /** A consumer named by ConsumerARN, or by StreamARN (or name) and ConsumerName. */
  async consumer(input: StreamAddress & { ConsumerARN?: string; ConsumerName?: string }): Promise<{ streamName: string; consumerName: string }> {
    if (input.ConsumerARN !== undefined) {
      const { streamName, consumerName } = await this.parseConsumerArn(input.ConsumerARN);
      if (input.ConsumerName !== undefined && input.ConsumerName !== consumerName) throw invalid(`ConsumerName ${input.ConsumerName} and ConsumerARN ${input.ConsumerARN} name different consumers`);
      if (input.StreamARN !== undefined && this.parseStreamArn(input.StreamARN) !== streamName) throw invalid(`StreamARN ${input.StreamARN} is not the stream of ConsumerARN ${input.ConsumerARN}`);
      return { streamName, consumerName };
    }
    if (input.ConsumerName === undefined || (input.StreamARN === undefined && input.StreamName === undefined && input.StreamId === undefined)) {
      throw invalid('Either ConsumerARN, or StreamARN and ConsumerName, must be provided');
    }
    return { streamName: await this.streamName(input), consumerName: input.ConsumerName };
  }

  /** A consumer's ARN names its creation time too: an ARN of a deregistered consumer never finds a new one. */
  async parseConsumerArn(arn: string): Promise<{ streamName: string; consumerName: string }> {
    const m = CONSUMER_ARN.exec(arn);
    if (!m) throw invalid(`${arn} is not a consumer ARN`);
    this.checkScope(m[1]!, m[2]!, `Consumer ${arn} not found.`);
    const streamName = m[3]!;
    const consumerName = m[4]!;
    const found = (await this.log.listStreamConsumers(streamName)).find((c) => c.consumerName === consumerName);
    if (!found || found.consumerARN !== arn) throw new ApiError('ResourceNotFoundException', `Consumer ${arn} not found.`);
    return { streamName, consumerName };
  }

  /** A ResourceARN of the tagging and resource-policy operations: a stream or one of its consumers. */
  async resource(arn: string): Promise<{ streamName: string; consumerName?: string }> {
    if (CONSUMER_ARN.test(arn)) return this.parseConsumerArn(arn);
    return { streamName: this.parseStreamArn(arn) };
  }

  private checkScope(region: string, account: string, notFoundMessage: string): void {
    if (region !== this.region || account !== this.accountId) throw new ApiError('ResourceNotFoundException', notFoundMessage);
  }

  private async streamNameById(id: string): Promise<string> {
    for (const name of await this.log.listStreams()) {
      if (streamId(this.accountId, name, this.log.stream(name).meta.createdAtMs) === id) return name;
    }
    throw new ApiError('ResourceNotFoundException', `Stream with id ${id} under account ${this.accountId} not found.`);
  }

  streamId(name: string): string {
    return streamId(this.accountId, name, this.log.stream(name).meta.createdAtMs);
  }
}

/** A stable id per stream incarnation, in the model's format (20 + 3 lowercase alphanumerics). */
export function streamId(accountId: string, streamName: string, createdAtMs: number): string {
  const hex = createHash('sha256').update(`${accountId}|${streamName}|${createdAtMs}`).digest('hex');
  return `${hex.slice(0, 20)}-${hex.slice(20, 23)}`;
}

function invalid(message: string): ApiError {
  return new ApiError('InvalidArgumentException', message);
}
