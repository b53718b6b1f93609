/**
 * The `sluice` command. Each subcommand's module is imported only when it runs, so `sluice --help` stays fast.
 */
const HELP = `sluice — Kinesis Data Streams, Firehose and KDA SQL, locally and embedded

Usage: sluice <command> [options]

Commands:
  serve [--port N] [--host H] [--data DIR | --memory] [--no-limits] [--fsync always|batch|never]
        [--auth ACCESS_KEY:SECRET]... [--tls] [--transition-ms MS]
                                   an AWS-compatible Kinesis Data Streams endpoint (HTTP/1.1 + HTTP/2,
                                   JSON + CBOR) on 127.0.0.1:4567; data in ./.sluice unless --memory;
                                   per-shard throughput limits on unless --no-limits; any credentials
                                   unless --auth (then SigV4 is verified); --tls adds HTTPS and HTTP/2
                                   over TLS on the same port (self-signed certificate in the data dir);
                                   --transition-ms keeps streams CREATING/UPDATING/DELETING that long
  demo [--duration SECONDS]        the KDA demo: stock ticks on kinesis-analytics-demo-stream through a live
                                   application (per-ticker tumbling counts, a sliding average); Ctrl-C stops
  demo log [--dir DIR]             create a stream, write records, reshard, read them back in order
  run APP.sql --config app.json --input FILE.jsonl [--out DIR] [--reference-root DIR]
                                   replay records through an application; each output to DIR/<NAME>.jsonl
  test CASE_DIR... [--update]      run golden application cases (app.sql, app.json, input.jsonl, expected/)
  check APP.sql [--config app.json]  parse and bind KDA SQL application code; print diagnostics
  explain APP.sql [--config app.json] [--unoptimized]  print each pump's logical plan
  bench <suite> [--quick] [--json] [--only CASE-PREFIX]  measure throughput; suites: log, server, sql-parse, sql, app
        log [--large GB] [--dir DIR]  also write and read a GB-sized stream, reporting memory
        server                     PutRecords/GetRecords via the AWS SDK and raw HTTP, beside kinesalite
        app                        the demo application over ticks in the log, beside bare JSON.parse
  help                             this text

Options:
  -h, --help     show help
  -v, --version  show the version
`;

interface Command {
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: () => import('./serve.js'),
  demo: () => import('./demo.js'),
  bench: () => import('./bench.js'),
  check: () => import('./check.js'),
  explain: () => import('./explain.js'),
  run: () => import('./run.js'),
  test: () => import('./apptest/command.js'),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '-h' || name === '--help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (name === '-v' || name === '--version') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
    console.log(pkg.version);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`sluice: unknown command '${name}'\n\n${HELP}`);
    return 2;
  }
  return (await load()).run(rest);
}
