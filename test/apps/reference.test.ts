/**
 * The golden cases' expected files checked against an independent derivation: the naive decoder (naive-decode.ts)
 * feeds the naive reference evaluator (test/exec/reference), neither of which is the engine `sluice test` runs.
 * `SLUICE_DERIVE=1 npx vitest run test/apps/reference.test.ts` writes the expected files of the DERIVED cases from the
 * reference; the HAND cases' files were written by hand and are only checked here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRows } from '../../src/cli/apptest/compare.js';
import { ERROR_FILE, errorsToJsonl, findCases, loadCase, toJsonl } from '../../src/cli/apptest/cases.js';
import { streamSchemas } from '../../src/cli/apptest/engine.js';
import { referenceRun } from '../exec/reference/index.js';
import { naiveSources } from './naive-decode.js';

/** Cases whose expected files were written by hand (from kda-sql.md or by working the input through). */
export const HAND = new Set([
  'stagger-worked-example', 'tumbling-worked-example', 'json-flattening', 'json-flattening-aggregate', 'json-conversions',
  'csv-rows-and-short-lines', 'error-division-by-zero', 'error-mapping', 'arrival-order', 'error-rowtime-out-of-order',
  'error-stream-output', 'stopped-pump', 'order-by-within-bucket',
]);

/**
 * Where the reference evaluator decides differently from the case (see the case's README.md): the reference gives a
 * ROWTIME_OUT_OF_ORDER row the rejected new ROWTIME as DATA_ROWTIME; the case expects the failing row's own ROWTIME.
 */
/** Cases the reference evaluator cannot run (ORDER BY is outside it); their files are by hand only. */
const NO_REFERENCE = new Set(['order-by-within-bucket']);

const SKIP_REFERENCE_ERRORS = new Set(['error-rowtime-out-of-order']);

const root = path.dirname(new URL(import.meta.url).pathname);
const derive = process.env.SLUICE_DERIVE === '1';

describe('golden cases agree with the reference evaluator', () => {
  for (const dir of findCases([root])) {
    const name = path.basename(dir);
    it(name, () => {
      const c = loadCase(dir);
      if (NO_REFERENCE.has(name)) return;
      const { input, mappingErrors } = naiveSources(c.config, c.records, dir);
      const outputs = c.config.Outputs?.filter((o) => o.Name.toLowerCase() !== ERROR_FILE);
      const ref = referenceRun(c.code, { ...c.config, ...(outputs ? { Outputs: outputs } : {}) }, input, { startTime: c.records[0]?.arrival ?? 0 });
      const schemas = streamSchemas(c.code, c.config);
      const names = [...new Set([...(c.config.Outputs ?? []).map((o) => o.Name), ...c.expected.keys()])].filter((n) => n.toLowerCase() !== ERROR_FILE);
      if (derive && !HAND.has(name)) {
        // (HAND cases keep their files; their outputs are still checked against the reference below)
        fs.mkdirSync(path.join(dir, 'expected'), { recursive: true });
        for (const n of names) fs.writeFileSync(path.join(dir, 'expected', `${n}.jsonl`), toJsonl(ref.streams[n]!, schemas.get(n)));
        const errFile = path.join(dir, 'expected', `${ERROR_FILE}.jsonl`);
        if (ref.errors.length > 0) fs.writeFileSync(errFile, errorsToJsonl(ref.errors, schemas.get(ERROR_FILE)));
        return;
      }
      for (const n of names) {
        const cmp = compareRows(c.expected.get(n) ?? [], ref.streams[n] ?? [], schemas.get(n));
        expect(cmp.diff, `${name}: ${n}`).toEqual([]);
      }
      if (SKIP_REFERENCE_ERRORS.has(name)) return;
      // error_stream: the reference's SQL errors plus the records the naive decoder refused (MAPPING_FAILED at arrival).
      const expectedErrors = c.expectedErrors ?? [];
      const refErrors = [...ref.errors, ...mappingErrors.map((m) => ({ ERROR_NAME: 'MAPPING_FAILED', DATA_ROWTIME: m.arrival }))];
      const cmp = compareRows(expectedErrors, refErrors, schemas.get(ERROR_FILE), { key: 'DATA_ROWTIME', only: ['ERROR_NAME', 'DATA_ROWTIME'], ordered: false });
      expect(cmp.diff, `${name}: error_stream`).toEqual([]);
    });
  }
});
