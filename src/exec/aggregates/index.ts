/**
 * Aggregate state for the window operators:
 * - `groupAccumulator(spec)`: state of one aggregate for many groups (tumbling, stagger, hop, session), in typed
 *   arrays indexed by slot;
 * - `SlidingWindows`: per-partition frames for `agg OVER (... RANGE/ROWS ... PRECEDING)`, O(1) amortised per row;
 * - `HyperLogLog`, `DistinctCounter`, `SpaceSaving`: the sketches behind COUNT_DISTINCT_ITEMS_TUMBLING and
 *   TOP_K_ITEMS_TUMBLING.
 */
export {
  type AggregateSpec, type Json, GROUP_AGGREGATES, SLIDING_AGGREGATES, respectsNulls, isNumberType, compareValues, valueKey,
  encValue, decValue,
} from './spec.js';
export { type GroupAccumulator, groupAccumulator } from './group.js';
export { type SlidingFrame, type SlidingSpec, type SlidingStats, SlidingWindows } from './sliding.js';
export {
  type TopItem, DistinctCounter, HyperLogLog, SpaceSaving, fmix32, hashLane2, hashValue, topKCapacity,
} from './sketches.js';
