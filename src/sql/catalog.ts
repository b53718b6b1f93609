/**
 * The catalog the binder resolves names against: the application's source streams (from the input configuration, in
 * the AWS CreateApplication shape), its reference table, `error_stream`, and the in-application streams and functions
 * the code itself creates. Names are stored exactly as they are (quoted names keep their case); callers fold
 * unquoted names before looking them up.
 */
import { TYPE_NAMES_FOR_CONFIG } from './bind/type-names.js';
import { t, TIMESTAMP, VARCHAR, type Column, type SqlType } from './bind/types.js';

export type RelationKind = 'stream' | 'source' | 'table' | 'error';

export interface Relation {
  name: string;
  kind: RelationKind;
  columns: Column[];
  /** A source declared without a schema (no config given): any column name resolves, with an unknown type. */
  open?: boolean;
}

export interface UserFunction {
  name: string;
  parameters: Column[];
  returns: SqlType;
}

export const ERROR_STREAM = 'ERROR_STREAM';
export const DEFAULT_NAME_PREFIX = 'SOURCE_SQL_STREAM';

/** error_stream's columns, as documented for KDA. */
export const ERROR_STREAM_COLUMNS: Column[] = [
  { name: 'ERROR_TIME', type: TIMESTAMP },
  { name: 'ERROR_LEVEL', type: VARCHAR(10) },
  { name: 'ERROR_NAME', type: VARCHAR(32) },
  { name: 'MESSAGE', type: VARCHAR(4096) },
  { name: 'DATA_ROWTIME', type: TIMESTAMP },
  { name: 'DATA_ROW', type: VARCHAR(49152) },
  { name: 'PUMP_NAME', type: VARCHAR(128) },
];

export class Catalog {
  private readonly relations = new Map<string, Relation>();
  private readonly functions = new Map<string, UserFunction>();

  constructor() {
    this.relations.set(ERROR_STREAM, { name: ERROR_STREAM, kind: 'error', columns: ERROR_STREAM_COLUMNS });
  }

  relation(name: string): Relation | undefined {
    // error_stream is the system's and answers to any spelling.
    if (name.toUpperCase() === ERROR_STREAM) return this.relations.get(ERROR_STREAM);
    return this.relations.get(name);
  }

  addRelation(r: Relation): void {
    this.relations.set(r.name, r);
  }

  relationNames(kinds?: RelationKind[]): string[] {
    return [...this.relations.values()].filter((r) => !kinds || kinds.includes(r.kind)).map((r) => r.name);
  }

  function(name: string): UserFunction | undefined {
    return this.functions.get(name);
  }

  addFunction(f: UserFunction): void {
    this.functions.set(f.name, f);
  }

  functionNames(): string[] {
    return [...this.functions.keys()];
  }
}

// ---- the application configuration (AWS shapes) -------------------------------------------------------------------
export interface RecordColumn {
  Name: string;
  SqlType: string;
  Mapping?: string;
}

export interface InputConfig {
  NamePrefix: string;
  InputParallelism?: { Count?: number };
  InputSchema?: { RecordColumns: RecordColumn[] };
}

export interface ReferenceDataSourceConfig {
  TableName: string;
  ReferenceSchema?: { RecordColumns: RecordColumn[] };
}

export interface OutputConfig {
  /** The in-application stream the output reads; matched exactly, case included. */
  Name: string;
}

/** The parts of CreateApplication's request (or of an application description) that define names for SQL. */
export interface ApplicationConfig {
  Inputs?: InputConfig[];
  Outputs?: OutputConfig[];
  ReferenceDataSources?: ReferenceDataSourceConfig[];
  /** AddApplicationReferenceDataSource's spelling. */
  ReferenceDataSource?: ReferenceDataSourceConfig;
}

export class ConfigError extends Error {}

/** `VARCHAR(4)`, `DECIMAL(10, 2)`, `DOUBLE PRECISION` → a type; throws ConfigError on anything else. */
export function parseSqlType(text: string): SqlType {
  const m = /^\s*([A-Za-z]+(?:\s+(?:PRECISION|VARYING))?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/i.exec(text);
  const word = m?.[1]!.toUpperCase().replace(/\s+/, ' ');
  const kind = word ? TYPE_NAMES_FOR_CONFIG[word] : undefined;
  if (!m || !kind) throw new ConfigError(`unknown SqlType '${text}'`);
  const p = m[2] !== undefined ? Number(m[2]) : undefined;
  const s = m[3] !== undefined ? Number(m[3]) : undefined;
  if (kind === 'DECIMAL') return t('DECIMAL', p ?? 19, s ?? 0);
  return t(kind, ['CHAR', 'VARCHAR', 'BINARY', 'VARBINARY'].includes(kind) ? p : undefined);
}

function columnsOf(cols: RecordColumn[] | undefined, where: string): Column[] {
  if (!Array.isArray(cols)) throw new ConfigError(`${where}: RecordColumns must be a list`);
  return cols.map((c, i) => {
    if (typeof c?.Name !== 'string' || typeof c.SqlType !== 'string') {
      throw new ConfigError(`${where}.RecordColumns[${i}] needs Name and SqlType`);
    }
    try {
      return { name: c.Name, type: parseSqlType(c.SqlType) };
    } catch (e) {
      throw new ConfigError(`${where}.RecordColumns[${i}] (${c.Name}): ${(e as Error).message}`);
    }
  });
}

/** Source stream names for an input: `NamePrefix_001` ... `NamePrefix_00N`. */
export function sourceStreamNames(prefix: string, count = 1): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}_${String(i + 1).padStart(3, '0')}`);
}

/**
 * A catalog holding what the configuration defines. With no configuration there is one source stream,
 * SOURCE_SQL_STREAM_001, whose columns are not known (any name resolves), so code can be checked on its own.
 */
export function catalogFromConfig(config?: ApplicationConfig): Catalog {
  const catalog = new Catalog();
  const inputs = config?.Inputs;
  if (!inputs || inputs.length === 0) {
    catalog.addRelation({ name: `${DEFAULT_NAME_PREFIX}_001`, kind: 'source', columns: sourceColumns([]), open: true });
  }
  for (const [i, input] of (inputs ?? []).entries()) {
    const where = `Inputs[${i}]`;
    const prefix = input.NamePrefix ?? DEFAULT_NAME_PREFIX;
    const count = input.InputParallelism?.Count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 64) throw new ConfigError(`${where}.InputParallelism.Count must be 1 to 64`);
    const schema = input.InputSchema;
    const columns = schema ? columnsOf(schema.RecordColumns, `${where}.InputSchema`) : [];
    for (const name of sourceStreamNames(prefix, count)) {
      catalog.addRelation({ name, kind: 'source', columns: sourceColumns(columns), ...(schema ? {} : { open: true }) });
    }
  }
  const refs = [...(config?.ReferenceDataSources ?? []), ...(config?.ReferenceDataSource ? [config.ReferenceDataSource] : [])];
  for (const [i, ref] of refs.entries()) {
    const where = `ReferenceDataSources[${i}]`;
    if (typeof ref.TableName !== 'string') throw new ConfigError(`${where}.TableName is required`);
    const schema = ref.ReferenceSchema;
    catalog.addRelation({
      name: ref.TableName,
      kind: 'table',
      columns: schema ? columnsOf(schema.RecordColumns, `${where}.ReferenceSchema`) : [],
      ...(schema ? {} : { open: true }),
    });
  }
  return catalog;
}

/** A source stream also carries the record's arrival time, readable by name. */
function sourceColumns(columns: Column[]): Column[] {
  return [...columns, { name: 'APPROXIMATE_ARRIVAL_TIME', type: TIMESTAMP, hidden: true }];
}
