/** Reading an application's code and configuration from files, for the commands that take `APP.sql --config app.json`. */
import fs from 'node:fs';
import type { ApplicationConfig } from '../sql/index.js';

export interface AppFiles {
  file: string;
  code: string;
  config: ApplicationConfig | undefined;
}

/** Reads both files; on failure prints `sluice <command>: reason` and returns undefined. */
export function readAppFiles(command: string, file: string, configFile: string | undefined): AppFiles | undefined {
  try {
    const code = fs.readFileSync(file, 'utf8');
    const config = configFile !== undefined ? (JSON.parse(fs.readFileSync(configFile, 'utf8')) as ApplicationConfig) : undefined;
    return { file, code, config };
  } catch (e) {
    console.error(`sluice ${command}: ${(e as Error).message}`);
    return undefined;
  }
}
