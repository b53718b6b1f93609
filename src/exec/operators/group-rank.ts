/**
 * GROUP_RANK: rows with the same ROWTIME form a group; when a later ROWTIME arrives or the bound passes the group's,
 * each row gets its RANK() by the rank column (ties share a rank; the next rank skips, as SQL's RANK()), and the
 * group is emitted ordered by rank (ties in arrival order), at most outputMax rows. NULLs rank last.
 */
import type { RecordBatch } from 'apache-arrow';
import type { GroupRank } from '../../plan/logical.js';
import { arrowSchema, batchOf } from '../arrow.js';
import { ColumnBuilder, readValue, rowtimes, viewsOf } from '../columns.js';
import { compareValues } from '../functions/index.js';
import type { Operator, Output } from '../operator.js';
import type { Value } from '../values.js';

export class GroupRankOperator implements Operator {
  private readonly schema;
  private rows: Value[][] = [];
  private time = -Infinity;

  constructor(
    private readonly plan: GroupRank,
    private readonly out: Output,
  ) {
    this.schema = arrowSchema(plan.schema);
  }

  process(batch: RecordBatch): void {
    const times = rowtimes(batch);
    const views = viewsOf(batch);
    for (let i = 0; i < batch.numRows; i++) {
      if (times[i]! > this.time) {
        this.flush();
        this.time = times[i]!;
      }
      this.rows.push(views.map((v) => readValue(v, i)));
    }
  }

  advance(bound: number): void {
    if (bound > this.time) this.flush();
    this.out.advance(bound);
  }

  private flush(): void {
    if (this.rows.length === 0) return;
    const { column, descending, outputDescending, outputMax } = this.plan;
    const byRank = (a: Value[], b: Value[]) => {
      const [x, y] = [a[column]!, b[column]!];
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      return descending ? compareValues(y, x) : compareValues(x, y);
    };
    const ranked = this.rows.map((row, arrival) => ({ row, arrival, rank: 0 })).sort((a, b) => byRank(a.row, b.row) || a.arrival - b.arrival);
    ranked.forEach((r, k) => (r.rank = k > 0 && byRank(ranked[k - 1]!.row, r.row) === 0 ? ranked[k - 1]!.rank : k + 1));
    if (outputDescending) ranked.sort((a, b) => b.rank - a.rank || a.arrival - b.arrival);
    const kept = outputMax > 0 ? ranked.slice(0, outputMax) : ranked;
    const builders = this.plan.schema.map((c) => new ColumnBuilder(c.type, kept.length));
    for (const { row, rank } of kept) {
      row.forEach((v, c) => builders[c]!.append(v));
      builders.at(-1)!.append(rank);
    }
    this.rows = [];
    this.out.emit(batchOf(this.schema, builders.map((b) => b.finish()), kept.length));
  }

  save(): unknown {
    return { time: this.time === -Infinity ? null : this.time, rows: this.rows };
  }

  load(state: unknown): void {
    const s = state as { time: number | null; rows: Value[][] };
    this.time = s.time ?? -Infinity;
    this.rows = s.rows;
  }
}
