#!/usr/bin/env node
// Runs the compiled CLI; `npm install` builds it (the `prepare` script).
import { main } from '../dist/src/cli/main.js';
import { SluiceError } from '../dist/src/util/errors.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof SluiceError) console.error(`sluice: ${err.code}: ${err.message}`);
    else if (err && err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') console.error(`sluice: ${err.message}`);
    else console.error(err);
    process.exit(1);
  },
);
