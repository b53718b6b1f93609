import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a segment's bytes live. The shard log is written once against this interface and runs in memory or on disk
 * unchanged; only the bytes' home differs.
 */
export interface SegmentStorage {
  readonly size: number;
  /** Whether reads should re-check frame checksums (bytes on disk can rot; bytes in memory cannot). */
  readonly verifyOnRead: boolean;
  append(src: Uint8Array, length: number): void;
  /** Up to `length` bytes from `offset`; a view where the bytes are already in memory. */
  read(offset: number, length: number): Buffer;
  /** Cuts the segment back to `size` bytes (recovery drops a torn tail this way). */
  truncate(size: number): void;
  /** Resolves when every append so far is durable. */
  sync(): Promise<void>;
  /** The same, blocking: for the rare moments (sealing a segment) where waiting is simpler than a promise. */
  syncNow(): void;
  close(): void;
  /** Deletes the bytes for good (retention, stream deletion). */
  remove(): void;
}

/**
 * Frames kept in fixed-size blocks, a frame never straddling two: appends never copy what is already stored (a
 * doubling arena spent a third of the append path copying), and a read from any frame start gets whole frames.
 */
export class MemoryStorage implements SegmentStorage {
  readonly verifyOnRead = false;
  private blocks: Buffer[] = [];
  /** Logical offset of each block's first byte; block i holds [starts[i], starts[i] + used[i]). */
  private starts: number[] = [];
  private used: number[] = [];
  size = 0;

  constructor(private readonly blockBytes = 1 << 20) {}

  /** `src[0..length)` must be one or more whole frames. */
  append(src: Uint8Array, length: number): void {
    let last = this.blocks.length - 1;
    if (last < 0 || this.used[last]! + length > this.blocks[last]!.length) {
      this.blocks.push(Buffer.allocUnsafe(Math.max(this.blockBytes, length)));
      this.starts.push(this.size);
      this.used.push(0);
      last++;
    }
    this.blocks[last]!.set(length === src.length ? src : src.subarray(0, length), this.used[last]!);
    this.used[last]! += length;
    this.size += length;
  }

  /** A view of up to `length` bytes from `offset`, never past the end of the block holding `offset`. */
  read(offset: number, length: number): Buffer {
    const i = this.blockAt(offset);
    if (i < 0) return Buffer.alloc(0);
    const from = offset - this.starts[i]!;
    return this.blocks[i]!.subarray(from, Math.min(this.used[i]!, from + length));
  }

  truncate(size: number): void {
    if (size >= this.size) return;
    const i = this.blockAt(size);
    this.blocks.length = this.starts.length = this.used.length = i + 1;
    this.used[i] = size - this.starts[i]!;
    this.size = size;
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  syncNow(): void {}

  close(): void {}

  remove(): void {
    this.blocks = [];
    this.starts = [];
    this.used = [];
    this.size = 0;
  }

  private blockAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

export class FileStorage implements SegmentStorage {
  readonly verifyOnRead = true;
  private fd: number;
  size: number;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    this.size = fs.fstatSync(this.fd).size;
  }

  append(src: Uint8Array, length: number): void {
    let written = 0;
    while (written < length) written += fs.writeSync(this.fd, src, written, length - written, this.size + written);
    this.size += length;
  }

  read(offset: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const r = fs.readSync(this.fd, out, got, n - got, offset + got);
      if (r === 0) break;
      got += r;
    }
    return got === n ? out : out.subarray(0, got);
  }

  truncate(size: number): void {
    if (size >= this.size) return;
    fs.ftruncateSync(this.fd, size);
    fs.fsyncSync(this.fd);
    this.size = size;
  }

  sync(): Promise<void> {
    return new Promise((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
  }

  syncNow(): void {
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  remove(): void {
    this.close();
    fs.rmSync(this.path, { force: true });
  }
}

/** The segments of one shard: in a directory of `<first counter>.seg` files (+ `.idx` for sealed ones), or in memory. */
export interface ShardStore {
  /** Names of existing segments, oldest first. */
  list(): string[];
  open(name: string): SegmentStorage;
  readIndex(name: string): Buffer | null;
  /** Saves a sealed segment's index (after making the segment itself durable). */
  writeIndex(name: string, bytes: Buffer): void;
  removeSegment(name: string, storage: SegmentStorage): void;
  destroy(): void;
}

export function segmentName(firstCounter: number): string {
  return firstCounter.toString().padStart(16, '0');
}

export class MemoryShardStore implements ShardStore {
  list(): string[] {
    return [];
  }
  open(): SegmentStorage {
    return new MemoryStorage();
  }
  readIndex(): Buffer | null {
    return null;
  }
  writeIndex(): void {}
  removeSegment(_name: string, storage: SegmentStorage): void {
    storage.remove();
  }
  destroy(): void {}
}

export class DirectoryShardStore implements ShardStore {
  constructor(readonly dir: string) {
    // A new directory, like a new file, survives a power cut only once the directory holding it is synced.
    const created = fs.mkdirSync(dir, { recursive: true });
    if (created !== undefined) {
      for (let d = dir; d.length >= created.length; d = path.dirname(d)) fsyncDirectory(path.dirname(d));
    }
    // A crash while saving an index leaves its temporary file behind.
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.tmp')) fs.rmSync(path.join(dir, f), { force: true });
  }

  list(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.seg'))
      .map((f) => f.slice(0, -4))
      .sort();
  }

  open(name: string): SegmentStorage {
    const file = `${this.dir}/${name}.seg`;
    const isNew = !fs.existsSync(file);
    const storage = new FileStorage(file);
    if (isNew) fsyncDirectory(this.dir);
    return storage;
  }

  readIndex(name: string): Buffer | null {
    try {
      return fs.readFileSync(`${this.dir}/${name}.idx`);
    } catch {
      return null;
    }
  }

  writeIndex(name: string, bytes: Buffer): void {
    writeFileAtomic(`${this.dir}/${name}.idx`, bytes);
  }

  removeSegment(name: string, storage: SegmentStorage): void {
    fs.rmSync(`${this.dir}/${name}.idx`, { force: true });
    storage.remove();
  }

  destroy(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Replaces `path` so a reader sees the old bytes or the new, never a mix: temp file, fsync, rename, fsync the dir. */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeFileSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirectory(path.dirname(file));
}

export function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
