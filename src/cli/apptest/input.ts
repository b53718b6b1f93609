/**
 * Source records from a `.jsonl` file, one per line:
 * `{"arrival": "2026-01-01T11:00:20.000Z" | epoch ms, "partitionKey"?: "…", "data": <JSON value | raw text>}`.
 * A JSON value becomes the record's bytes as `JSON.stringify` writes it; a string is used as it is (a CSV line, a log
 * line). Blank lines and lines starting with `//` are skipped.
 */
import type { ReplayRecord } from '../../analytics/replay.js';
import { parseInstant } from './values.js';

export class InputFileError extends Error {}

const encoder = new TextEncoder();

export function parseInputLines(text: string, file: string, onProgress?: (done: number, total: number) => void): ReplayRecord[] {
  const records: ReplayRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (onProgress && i % 4096 === 0) onProgress(i, lines.length);
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('//')) continue;
    const where = `${file}:${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new InputFileError(`${where}: not JSON: ${(e as Error).message}`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new InputFileError(`${where}: expected an object {"arrival", "partitionKey"?, "data"}`);
    }
    const o = obj as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k !== 'arrival' && k !== 'partitionKey' && k !== 'data') throw new InputFileError(`${where}: unknown member "${k}" (expected arrival, partitionKey, data)`);
    }
    if (o.arrival === undefined) throw new InputFileError(`${where}: "arrival" is missing`);
    const arrival = parseInstant(o.arrival);
    if (arrival === undefined) throw new InputFileError(`${where}: "arrival" must be an ISO-8601 time or epoch milliseconds, not ${JSON.stringify(o.arrival)}`);
    if (!('data' in o)) throw new InputFileError(`${where}: "data" is missing`);
    if (o.partitionKey !== undefined && typeof o.partitionKey !== 'string') throw new InputFileError(`${where}: "partitionKey" must be a string`);
    const data = encoder.encode(typeof o.data === 'string' ? o.data : JSON.stringify(o.data));
    records.push({ arrival, data, ...(o.partitionKey !== undefined ? { partitionKey: o.partitionKey as string } : {}) });
  }
  onProgress?.(lines.length, lines.length);
  return records;
}
