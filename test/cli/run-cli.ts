import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Runs the `sluice` command in process, capturing what it prints: the CLI tests of every command share this. */
export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (out += `${a.join(' ')}\n`));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const ewrite = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (err += `${a.join(' ')}\n`));
  try {
    return { code: await main(argv), out, err };
  } finally {
    log.mockRestore();
    write.mockRestore();
    ewrite.mockRestore();
    error.mockRestore();
  }
}
