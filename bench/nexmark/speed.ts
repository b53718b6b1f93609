/**
 * The generator's own speed, one core: `npx tsc -p tsconfig.json && node dist/bench/nexmark/speed.js [events per
 * call ...]`. Prints events/s and MB/s of Arrow buffers produced, per batch size, per second of this process's CPU
 * time (user + system: what one core does, even when other processes share the machine) and of wall time.
 */
import { NexmarkGenerator, type NexmarkBatches } from './generator.js';

function bytes(b: NexmarkBatches): number {
  let n = 0;
  for (const batch of [b.person, b.auction, b.bid]) {
    if (!batch) continue;
    for (const child of batch.data.children) n += child.values.byteLength + (child.valueOffsets?.byteLength ?? 0);
  }
  return n;
}

const sizes = process.argv.slice(2).map(Number);
for (const size of sizes.length > 0 ? sizes : [1_000, 10_000, 100_000]) {
  const g = new NexmarkGenerator({ seed: 1 });
  for (let i = 0; i < 2_000_000 / size; i++) g.next(size); // warm up
  let events = 0;
  let total = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let cpuMs = 0;
  do {
    const b = g.next(size);
    events += b.count;
    total += bytes(b);
    const cpu = process.cpuUsage(cpu0);
    cpuMs = (cpu.user + cpu.system) / 1000;
  } while (cpuMs < 3000);
  const wallMs = performance.now() - start;
  const rate = (n: number, ms: number) => (n / ms) * 1e3 / 1e6;
  console.log(
    `${String(size).padStart(7)} events per call: ${rate(events, cpuMs).toFixed(2)} M events/s of CPU (${rate(total, cpuMs).toFixed(0)} MB/s),` +
      ` ${rate(events, wallMs).toFixed(2)} M events/s of wall time`,
  );
}
