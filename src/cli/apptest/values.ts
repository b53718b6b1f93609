/**
 * Values of output rows as they appear in `.jsonl` files (what `sluice run` writes and `sluice test` reads):
 * TIMESTAMP as `YYYY-MM-DD HH:MM:SS.fff` (UTC), DATE as `YYYY-MM-DD`, TIME as `HH:MM:SS.fff`, BINARY as hex,
 * non-finite numbers as the strings "NaN", "Infinity", "-Infinity"; everything else as the JSON value.
 */
import type { ColumnDef, Row } from '../../exec/arrow.js';
import type { Value } from '../../exec/values.js';
import type { SqlType } from '../../sql/bind/types.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

function formatTime(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** A value as written to a `.jsonl` output file, by its SQL type. */
export function formatValue(v: Value, type: SqlType | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return hex(v);
  if (typeof v === 'number') {
    switch (type?.kind) {
      case 'TIMESTAMP':
        return formatTimestamp(v);
      case 'DATE':
        return formatTimestamp(v).slice(0, 10);
      case 'TIME':
        return formatTime(v);
    }
    if (!Number.isFinite(v)) return String(v);
  }
  return v;
}

/** A row as a JSON object: the schema's columns in order (ROWTIME first), then any others the row has. */
export function formatRow(row: Row, columns: readonly ColumnDef[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const types = new Map((columns ?? []).map((c) => [c.name, c.type] as const));
  if (!types.has('ROWTIME')) types.set('ROWTIME', { kind: 'TIMESTAMP' } as SqlType);
  for (const c of columns ?? []) if (c.name in row) out[c.name] = formatValue(row[c.name]!, c.type);
  for (const [k, v] of Object.entries(row)) if (!(k in out)) out[k] = formatValue(v, types.get(k));
  return out;
}

/**
 * An instant from a file: epoch milliseconds, ISO-8601 (`2026-01-01T11:00:20Z`, zone optional, UTC assumed), or
 * `YYYY-MM-DD HH:MM:SS[.fff]`. Undefined when the text is none of these.
 */
export function parseInstant(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(v.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((frac + '000').slice(0, 3)));
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    ms -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  }
  return Number.isNaN(ms) ? undefined : ms;
}

/** A TIME of day from `HH:MM:SS[.fff]` (or a number of ms). */
export function parseTimeOfDay(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(v.trim());
  if (!m) return undefined;
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1000 + Number(((m[4] ?? '') + '000').slice(0, 3));
}
