import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisModel, kinesisService } from '../../src/api/index.js';
import { startTestServer, type TestServer } from './helpers.js';
import { Http2Client, JSON_TYPE } from './raw.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const awsModelPath = path.join(root, '../shared/aws-models/kinesis-2013-12-02.json');
const awsModel = JSON.parse(fs.readFileSync(awsModelPath, 'utf8')) as {
  metadata: { targetPrefix: string };
  operations: Record<string, { errors?: { shape: string }[] }>;
};

describe('the Kinesis service model', () => {
  it('is what scripts/gen-model.mjs makes of the AWS model today (regenerate and commit when it changes)', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-model-')), 'kinesis.json');
    execFileSync(process.execPath, [path.join(root, 'scripts/gen-model.mjs'), awsModelPath, out]);
    const committed = fs.readFileSync(path.join(root, 'src/api/models/kinesis.json'), 'utf8');
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(JSON.parse(committed));
  });

  describe('every operation is routed', () => {
    let t: TestServer;
    let h2: Http2Client;
    beforeAll(async () => {
      t = await startTestServer();
      h2 = new Http2Client(t.server.url);
    });
    afterAll(async () => {
      h2.close();
      await t.close();
    });

    const operations = Object.keys(awsModel.operations).sort();
    it('has 39 operations', () => expect(operations).toHaveLength(39));

    it.each(operations)('%s answers (not UnknownOperationException) with a modelled or protocol error code', async (op) => {
      const res = await h2.request({ headers: { 'content-type': JSON_TYPE, 'x-amz-target': `${awsModel.metadata.targetPrefix}.${op}` }, body: '{}' });
      expect([200, 400]).toContain(res.status);
      const body = JSON.parse(res.body.toString('utf8'));
      if (res.status === 400) {
        expect(body.__type).not.toBe('UnknownOperationException');
        const modelled = (awsModel.operations[op]!.errors ?? []).map((e) => e.shape);
        // Missing required members fail validation, which AWS reports for every operation.
        expect([...modelled, 'ValidationException']).toContain(body.__type);
      }
    });

    it('has a handler for each operation of the compiled model', () => {
      expect(Object.keys(kinesisModel().model.operations).sort()).toEqual(operations);
      expect(Object.keys(kinesisService(t.log).operations).sort()).toEqual(operations);
    });
  });
});
