import fc from 'fast-check';
import { expect, it } from 'vitest';
import { scanGetRecords } from '../../bench/server.js';

it("the bench's lean GetRecords scan finds what JSON.parse finds", () => {
  const record = fc.record({
    SequenceNumber: fc.stringMatching(/^\d{56}$/),
    ApproximateArrivalTimestamp: fc.double({ min: 0, max: 2e9, noNaN: true }),
    Data: fc.base64String(),
    PartitionKey: fc.string(),
  });
  const reply = fc.record({ Records: fc.array(record, { maxLength: 20 }), MillisBehindLatest: fc.nat(), NextShardIterator: fc.option(fc.base64String({ minLength: 4 }), { nil: undefined }) });
  fc.assert(
    fc.property(reply, (r) => {
      const scanned = scanGetRecords(Buffer.from(JSON.stringify(r)));
      expect(scanned.records).toBe(r.Records.length);
      expect(scanned.nextShardIterator).toBe(r.NextShardIterator);
    }),
  );
});
