/**
 * The SQL front end in one call: parse (grammar/ + build-ast) and bind (bind/) KDA application code against the
 * catalog an application configuration defines.
 */
import type * as A from './ast.js';
import { bind, type BoundProgram } from './bind/binder.js';
import { catalogFromConfig, type ApplicationConfig } from './catalog.js';
import { Codes, didYouMean, error, hasErrors, quoteName, spanAt, type Diagnostic } from './diagnostics.js';
import { parse, sortDiagnostics } from './parse.js';

export interface CheckResult {
  script?: A.Script;
  /** Present when the code parsed without errors (binding runs even if it then reports some). */
  program?: BoundProgram;
  diagnostics: Diagnostic[];
  ok: boolean;
}

export function checkApplication(code: string, config?: ApplicationConfig): CheckResult {
  const parsed = parse(code);
  if (!parsed.script || hasErrors(parsed.diagnostics)) {
    return { ...(parsed.script ? { script: parsed.script } : {}), diagnostics: parsed.diagnostics, ok: false };
  }
  const program = bind(parsed.script, catalogFromConfig(config));
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...program.diagnostics, ...checkOutputs(config, program, code)]);
  return { script: parsed.script, program, diagnostics, ok: !hasErrors(diagnostics) };
}

/**
 * Each output names an in-application stream the code creates, exactly (case included): a config that says
 * `destination_sql_stream` does not find `DESTINATION_SQL_STREAM`. The configuration has no place in the SQL text, so
 * these diagnostics point at the start of the code.
 */
function checkOutputs(config: ApplicationConfig | undefined, program: BoundProgram, code: string): Diagnostic[] {
  const streams = program.catalog.relationNames(['stream']);
  return (config?.Outputs ?? []).flatMap((o, i) =>
    streams.includes(o.Name)
      ? []
      : [error(Codes.UNKNOWN_OUTPUT, `Outputs[${i}].Name ${quoteName(o.Name)} is not an in-application stream of this code${didYouMean(o.Name, streams)}`, spanAt(code, 0, 1))],
  );
}

export { parse } from './parse.js';
export { format } from './format.js';
export { render, Codes, type Diagnostic } from './diagnostics.js';
export { catalogFromConfig, ConfigError, type ApplicationConfig } from './catalog.js';
export type * as Ast from './ast.js';
