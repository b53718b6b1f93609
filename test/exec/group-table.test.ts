import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ColumnBuilder, viewOf, type ColumnView } from '../../src/exec/columns.js';
import { GroupTable } from '../../src/exec/group-table.js';
import type { SqlType } from '../../src/sql/bind/types.js';
import type { Value } from '../../src/exec/values.js';

const VARCHAR = { kind: 'VARCHAR' } as SqlType;
const VARBINARY = { kind: 'VARBINARY' } as SqlType;
const INTEGER = { kind: 'INTEGER' } as SqlType;

function column(type: SqlType, values: Value[]): ColumnView {
  const b = new ColumnBuilder(type, values.length);
  for (const v of values) b.append(v);
  return viewOf(b.finish());
}

/** groupsOf over runs [cuts[k], cuts[k + 1]) numbers rows as groupOf does row by row, and keeps the same keys. */
function sameAsGroupOf(types: SqlType[], rows: Value[][], cuts: number[]): void {
  const keys = types.map((t, k) => column(t, rows.map((r) => r[k]!)));
  const byRow = new GroupTable(types.length);
  const want = rows.map((_, i) => byRow.groupOf(keys, i));
  const batched = new GroupTable(types.length);
  const got = new Int32Array(rows.length);
  const bounds = [0, ...cuts.map((c) => c % (rows.length + 1)).sort((a, b) => a - b), rows.length];
  for (let k = 0; k + 1 < bounds.length; k++) batched.groupsOf(keys, bounds[k]!, bounds[k + 1]!, got);
  expect([...got]).toEqual(want);
  expect(batched.savedKeys(types)).toEqual(byRow.savedKeys(types));
}

describe('GroupTable.groupsOf', () => {
  const text = fc.option(fc.constantFrom('AMZN', 'AAPL', 'MSFT', '', 'é', 'a longer key than the rest'), { nil: null, freq: 5 });

  it('one text key (the dictionary-id path), NULLs included, in runs', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 4 }), (values, cuts) =>
        sameAsGroupOf([VARCHAR], values.map((v) => [v]), cuts),
      ),
    );
  });

  it('one binary key', () => {
    const bytes = fc.option(fc.uint8Array({ maxLength: 3 }), { nil: null, freq: 5 });
    fc.assert(fc.property(fc.array(bytes, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 3 }), (values, cuts) => sameAsGroupOf([VARBINARY], values.map((v) => [v]), cuts)));
  });

  it('a number and a text key (the general path)', () => {
    const num = fc.option(fc.integer({ min: -3, max: 3 }), { nil: null, freq: 5 });
    fc.assert(fc.property(fc.array(fc.tuple(num, text), { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 3 }), (rows, cuts) => sameAsGroupOf([INTEGER, VARCHAR], rows, cuts)));
  });
});
