/**
 * Sluice's embedding API: everything a program needs is reachable from here.
 */
export * from './log/index.js';
export { VirtualClock, WallClock, type Clock } from './util/clock.js';
export { SluiceError, type ErrorCode } from './util/errors.js';

import { Log, type LogOptions } from './log/index.js';

/** Opens a shard log: in memory, or in `options.dir` (recovering what is there). */
export function openLog(options: LogOptions = {}): Promise<Log> {
  return Log.open(options);
}

// The AWS-compatible endpoint (`sluice serve`), for programs that want to start it themselves.
export {
  startApiServer,
  kinesisService,
  KinesisTenants,
  type ApiServer,
  type ApiServerOptions,
  type KinesisServiceOptions,
  type Service,
} from './api/index.js';
