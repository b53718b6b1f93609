import fs from 'node:fs';

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

export class MemoryStorage implements SegmentStorage {
  readonly verifyOnRead = false;
  private arena: Buffer;
  size = 0;

  constructor(initialBytes = 64 * 1024) {
    this.arena = Buffer.allocUnsafe(initialBytes);
  }

  append(src: Uint8Array, length: number): void {
    if (this.size + length > this.arena.length) {
      // Earlier views handed to readers keep pointing at the old arena, whose bytes never change.
      const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.size + length));
      this.arena.copy(bigger, 0, 0, this.size);
      this.arena = bigger;
    }
    this.arena.set(length === src.length ? src : src.subarray(0, length), this.size);
    this.size += length;
  }

  read(offset: number, length: number): Buffer {
    return this.arena.subarray(offset, Math.min(this.size, offset + length));
  }

  truncate(size: number): void {
    this.size = Math.min(this.size, size);
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  syncNow(): void {}

  close(): void {}

  remove(): void {
    this.arena = Buffer.alloc(0);
    this.size = 0;
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
    fs.mkdirSync(dir, { recursive: true });
  }

  list(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.seg'))
      .map((f) => f.slice(0, -4))
      .sort();
  }

  open(name: string): SegmentStorage {
    return new FileStorage(`${this.dir}/${name}.seg`);
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
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeFileSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
  const dirFd = fs.openSync(path.slice(0, path.lastIndexOf('/')) || '.', 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}
