/**
 * The `sluice` command. Each subcommand's module is imported only when it runs, so `sluice --help` stays fast.
 */
const HELP = `sluice — Kinesis Data Streams, Firehose and KDA SQL, locally and embedded

Usage: sluice <command> [options]

Commands:
  demo [--dir DIR]                 create a stream, write records, reshard, read them back in order
  bench <suite> [--quick] [--json] [--only CASE-PREFIX]  measure throughput; suites: log
        log [--large GB] [--dir DIR]  also write and read a GB-sized stream, reporting memory
  help                             this text

Options:
  -h, --help     show help
  -v, --version  show the version
`;

interface Command {
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: () => import('./demo.js'),
  bench: () => import('./bench.js'),
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
