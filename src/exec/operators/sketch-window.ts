/**
 * COUNT_DISTINCT_ITEMS_TUMBLING and TOP_K_ITEMS_TUMBLING: one sketch of a column per tumbling window (aligned to the
 * epoch), emitted when the rowtime bound passes the window's end, with ROWTIME = that end. The distinct count is exact
 * up to 10,000 items and HyperLogLog beyond (relative standard error 1.04/√4096 ≈ 1.6 %); the top k come from
 * Space-Saving with 4k counters (an item's count is overestimated by at most N/4k). See aggregates/sketches.ts.
 */
import type { RecordBatch } from 'apache-arrow';
import type { SketchWindow } from '../../plan/logical.js';
import { arrowSchema, batchOf } from '../arrow.js';
import { DistinctCounter, SpaceSaving, topKCapacity } from '../aggregates/index.js';
import { ColumnBuilder, readValue, rowtimes, viewOf } from '../columns.js';
import type { Operator, Output } from '../operator.js';

type Sketch = DistinctCounter | SpaceSaving;

export class SketchWindowOperator implements Operator {
  private readonly schema;
  private start = -Infinity;
  private sketch: Sketch | undefined;

  constructor(
    private readonly plan: SketchWindow,
    private readonly out: Output,
  ) {
    this.schema = arrowSchema(plan.schema);
  }

  private fresh(): Sketch {
    return this.plan.fn === 'TOP_K_ITEMS_TUMBLING' ? new SpaceSaving(topKCapacity(this.plan.k)) : new DistinctCounter();
  }

  process(batch: RecordBatch): void {
    const times = rowtimes(batch);
    const values = viewOf(batch.getChildAt(this.plan.column)!.data[0]!);
    const w = this.plan.windowMs;
    for (let i = 0; i < batch.numRows; i++) {
      const t = times[i]!;
      if (t >= this.start + w) {
        this.close(t);
        this.start = Math.floor(t / w) * w;
        this.sketch = this.fresh();
      }
      this.sketch!.add(readValue(values, i));
    }
  }

  advance(bound: number): void {
    this.close(bound);
    this.out.advance(bound);
  }

  private close(bound: number): void {
    if (!this.sketch || this.start + this.plan.windowMs > bound) return;
    const end = this.start + this.plan.windowMs;
    const builders = this.plan.schema.map((c) => new ColumnBuilder(c.type, 8));
    if (this.sketch instanceof DistinctCounter) {
      builders[0]!.append(end);
      builders[1]!.append(this.sketch.count());
    } else {
      for (const item of this.sketch.top(this.plan.k)) {
        builders[0]!.append(end);
        builders[1]!.append(item.value);
        builders[2]!.append(item.count);
      }
    }
    this.sketch = undefined;
    const n = builders[0]!.length;
    if (n > 0) this.out.emit(batchOf(this.schema, builders.map((b) => b.finish()), n));
  }

  save(): unknown {
    return { start: this.start === -Infinity ? null : this.start, sketch: this.sketch?.save() ?? null };
  }

  load(state: unknown): void {
    const s = state as { start: number | null; sketch: unknown };
    this.start = s.start ?? -Infinity;
    this.sketch = undefined;
    if (s.sketch !== null) {
      this.sketch = this.fresh();
      this.sketch.load(s.sketch);
    }
  }
}
