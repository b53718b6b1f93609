/**
 * A Nexmark event generator that writes Apache Arrow record batches directly (typed arrays and `makeData`; no
 * builders, no row objects): the inputs of the Nexmark queries in this folder.
 *
 * Written from the Nexmark specification (Tucker et al., "NEXMark – A Benchmark for Queries over Data Streams") and the
 * documented parameters of the Apache Beam / Flink Nexmark generators (defaults of Beam's `NexmarkConfiguration`).
 * The event model is theirs:
 *
 * - Events are numbered 0, 1, 2, ... in epochs of 50: 1 person, then 3 auctions, then 46 bids (`personProportion` :
 *   `auctionProportion` : `bidProportion`). Event n happens at `firstEventTime + floor(n · 1000 / eventsPerSecond)` ms
 *   (a fixed-rate timeline; default 10,000 events/s, Beam's `firstEventRate`). That is each row's `dateTime` and its
 *   ROWTIME: the batches stand for events that reach the application the moment they happen.
 * - Person and auction ids count up from 1000 in event order. An auction's category is one of 5 from 10.
 * - An auction's seller is, with probability 1 − 1/`hotSellersRatio` (4: 3/4), the first person of the latest block
 *   of 100 ("hot seller"), else one of the last `numActivePeople` (1000). A bid's auction is, with probability
 *   1 − 1/`hotAuctionRatio` (2: 1/2), the first of the latest block of 100 auctions ("hot auction"), else one of the
 *   last `numInFlightAuctions` (100); its bidder is, with probability 1 − 1/`hotBiddersRatio` (4: 3/4), the second
 *   person of the latest block of 100 ("hot bidder"), else one of the last 1000 people.
 * - An auction lasts a uniform 1 ms to twice the time Beam's generator takes to create `numInFlightAuctions` more
 *   auctions on one of its `numEventGenerators` (100) timelines: on average 100·50/3 events × 100 = 16.7 s at 10,000
 *   events/s.
 * - Prices (initialBid, reserve − initialBid, a bid's price) are round(10^(6u) · 100) cents, u uniform in [0, 1).
 * - People: "First Last" from 11 × 9 names, e-mail `xxxxx@yyyy.com`, card `dddd dddd dddd dddd`, one of 10 cities and
 *   of the states AZ, CA, ID, OR, WA, WY. Auctions: itemName and description of 3–19 and 3–99 random letters with a
 *   space now and then (trimmed). Bids carry Flink's additions: channel is, with probability 1/2, Google, Facebook,
 *   Baidu or Apple (each with a fixed URL), else `channel-N`, N < 10,000, with its own URL
 *   `https://www.nexmark.com/xxx/yyy/zzz/item.htm?query=1`, in 9 channels of 10 followed by `&channel_id=...`.
 * - `extra` pads each event to Beam's average size (person 200 bytes, auction 500, bid 100, a number counting 8): its
 *   length is uniform within ±20% around the average minus the size of the other fields.
 *
 * Deviations, all deliberate:
 * - Deterministic: seeded splitmix32 generators (one per stream) instead of Java's Random, so the values differ from
 *   Beam's but the distributions are the same. A seed gives the same events however `next()` is called (`next(100)`
 *   twice equals `next(200)`); event time starts at a fixed instant, not the wall clock.
 * - References always exist: Beam lets a random person or auction id run up to 10 past the last one created
 *   (`PERSON_ID_LEAD`, `AUCTION_ID_LEAD`), and its hot bidder may not be created yet. Here the lead is 0 (the param
 *   `idLead` restores Beam's 10) and a hot bidder not yet created falls back to the latest person.
 * - Payload text is replayed rather than drawn per row, so that strings cost no loop over their bytes (a byte loop
 *   alone held the generator near 3 M events/s): `extra` is consecutive windows of a seeded pool of random letters
 *   (period 1 MiB; its length is still drawn per row); a bid's channel and URL come from a seeded tape of 65,536
 *   draws, an auction's itemName and description from one of 16,384, a person's emailAddress and creditCard from one
 *   of 4,096, each read cyclically in row order. Values within a period have Beam's distributions; longer runs repeat.
 *   Everything the queries compute on (ids, seller, bidder, auction, price, category, times, name, city, state) is
 *   drawn per row. These columns are views of the shared, immutable pool and tapes (zero-copy): like all Arrow data,
 *   batches are read-only.
 * - One timeline instead of Beam's 100 interleaved ones; no out-of-order events (Beam's default `outOfOrderGroupSize`
 *   of 1 has none either); a constant rate.
 *
 * Column names are the Nexmark field names with their case (`dateTime`, `emailAddress`, ...). In SQL they are quoted
 * identifiers (`"dateTime"`), as KDA creates the columns of an input schema exactly as written; upper-case names would
 * save the quotes but no longer be Nexmark's, nor match JSON events from other Nexmark generators. ROWTIME is column 0
 * of every batch.
 *
 * Speed, one core: see speed.ts (`node dist/bench/nexmark/speed.js`).
 */
import { makeData, RecordBatch, Struct, type Data, type Int64, type Schema, type Utf8 } from 'apache-arrow';
import { arrowSchema, type ColumnDef } from '../../src/exec/arrow.js';
import { BIGINT, show, TIMESTAMP, VARCHAR } from '../../src/sql/bind/types.js';

// ---- schemas ----------------------------------------------------------------------------------------------------
/** Record columns of each input (without ROWTIME), as declared in app.json's InputSchema. */
export const PERSON_COLUMNS: ColumnDef[] = [
  { name: 'id', type: BIGINT },
  { name: 'name', type: VARCHAR(32) },
  { name: 'emailAddress', type: VARCHAR(32) },
  { name: 'creditCard', type: VARCHAR(19) },
  { name: 'city', type: VARCHAR(16) },
  { name: 'state', type: VARCHAR(2) },
  { name: 'dateTime', type: TIMESTAMP },
  { name: 'extra', type: VARCHAR(1024) },
];
export const AUCTION_COLUMNS: ColumnDef[] = [
  { name: 'id', type: BIGINT },
  { name: 'itemName', type: VARCHAR(32) },
  { name: 'description', type: VARCHAR(128) },
  { name: 'initialBid', type: BIGINT },
  { name: 'reserve', type: BIGINT },
  { name: 'dateTime', type: TIMESTAMP },
  { name: 'expires', type: TIMESTAMP },
  { name: 'seller', type: BIGINT },
  { name: 'category', type: BIGINT },
  { name: 'extra', type: VARCHAR(1024) },
];
export const BID_COLUMNS: ColumnDef[] = [
  { name: 'auction', type: BIGINT },
  { name: 'bidder', type: BIGINT },
  { name: 'price', type: BIGINT },
  { name: 'channel', type: VARCHAR(16) },
  { name: 'url', type: VARCHAR(128) },
  { name: 'dateTime', type: TIMESTAMP },
  { name: 'extra', type: VARCHAR(1024) },
];

const withRowtime = (cols: ColumnDef[]): ColumnDef[] => [{ name: 'ROWTIME', type: TIMESTAMP }, ...cols];
export const PERSON_SCHEMA: Schema = arrowSchema(withRowtime(PERSON_COLUMNS));
export const AUCTION_SCHEMA: Schema = arrowSchema(withRowtime(AUCTION_COLUMNS));
export const BID_SCHEMA: Schema = arrowSchema(withRowtime(BID_COLUMNS));

// ---- parameters -------------------------------------------------------------------------------------------------
/** Beam's NexmarkConfiguration / GeneratorConfig defaults that shape the events. */
export interface NexmarkParams {
  personProportion: number;
  auctionProportion: number;
  bidProportion: number;
  avgPersonByteSize: number;
  avgAuctionByteSize: number;
  avgBidByteSize: number;
  hotAuctionRatio: number;
  hotSellersRatio: number;
  hotBiddersRatio: number;
  numInFlightAuctions: number;
  numActivePeople: number;
  /** Only used to size auction durations the way Beam's 100 parallel timelines do. */
  numEventGenerators: number;
  /** How far past the last created person/auction a random reference may go (Beam: 10; here 0 so all exist). */
  idLead: number;
}

export const NEXMARK_DEFAULTS: Readonly<NexmarkParams> = Object.freeze({
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
  numEventGenerators: 100,
  idLead: 0,
});

/** Beam's `firstEventRate`. */
export const DEFAULT_EVENTS_PER_SECOND = 10_000;
/** Event time of event 0 when not given: 2023-11-14T22:13:20Z (a fixed instant, so runs repeat exactly). */
export const DEFAULT_FIRST_EVENT_TIME = 1_700_000_000_000;
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;
/** Hot sellers/bidders/auctions are the first (bidders: second) of each block of this many. */
const HOT_BLOCK = 100;
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;
const MIN_STRING_LENGTH = 3;

const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

export interface NexmarkOptions {
  seed?: number;
  /** Event rate of the timeline (default 10,000, Beam's firstEventRate). Sets ROWTIME spacing, not generation speed. */
  eventsPerSecond?: number;
  /** Event time of event 0, ms since the epoch. */
  firstEventTime?: number;
  /** Overrides of Beam's defaults. */
  params?: Partial<NexmarkParams>;
}

export interface NexmarkBatches {
  person?: RecordBatch;
  auction?: RecordBatch;
  bid?: RecordBatch;
  /** Events generated (rows over the three batches). */
  count: number;
}

// ---- PRNG -------------------------------------------------------------------------------------------------------
const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;

/** splitmix32: a 32-bit state advanced by the golden ratio and finalised by a murmur3-style mix. */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed | 0;
  }

  /** Uniform in [0, 2^32). */
  u32(): number {
    let z = (this.s = (this.s + 0x9e3779b9) | 0);
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform integer in [0, n) for 0 < n ≤ 2^21 (multiply-shift: exact in doubles, bias below 2^-11). */
  int(n: number): number {
    return (this.u32() * n * INV_TWO_POW_32) | 0;
  }

  /** Uniform integer in [0, n) for any 0 < n < 2^53. */
  long(n: number): number {
    if (n <= 0x200000) return (this.u32() * n * INV_TWO_POW_32) | 0;
    return Math.floor((this.u32() * 0x200000 + (this.u32() >>> 11)) * 1.1102230246251565e-16 * n);
  }
}

/** A seed for a sub-stream: splitmix32 of (seed, stream). */
function subSeed(seed: number, stream: number): number {
  return new Rng(Math.imul(seed | 0, 0x2c1b3c6d) ^ Math.imul(stream + 1, 0x297a2d39)).u32() | 0;
}

// ---- prices -----------------------------------------------------------------------------------------------------
/** 10^(6u) · 100 for u quantised to 24 bits, as the product of a table for its high 12 bits and one for its low 12. */
const PRICE_HI = new Float64Array(4096);
const PRICE_LO = new Float64Array(4096);
for (let i = 0; i < 4096; i++) {
  PRICE_HI[i] = Math.pow(10, (6 * i) / 4096) * 100;
  PRICE_LO[i] = Math.pow(10, (6 * i) / 16777216);
}

/** Beam's nextPrice: round(10^(6u) · 100) cents, u uniform in [0, 1): 1 cent to $1,000,000. */
function nextPrice(rng: Rng): number {
  const u = rng.u32();
  return Math.floor(PRICE_HI[u >>> 20]! * PRICE_LO[(u >>> 8) & 4095]! + 0.5);
}

/** Beam's nextExtra length: average `avg − currentSize`, uniform within ±20%. */
function extraLength(rng: Rng, currentSize: number, avg: number): number {
  if (currentSize > avg) return 0;
  const rest = avg - currentSize;
  const delta = Math.round(rest * 0.2);
  return rest - delta + (delta === 0 ? 0 : rng.int(2 * delta));
}

// ---- strings ----------------------------------------------------------------------------------------------------
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** Many short ASCII strings in one buffer: string k is bytes[off[k], off[k+1]). Also used as a cyclic tape. */
class StringTable {
  bytes: Uint8Array;
  readonly off: Int32Array;
  readonly size: number;
  private pos = 0;
  private count = 0;

  constructor(size: number, maxLength: number) {
    this.size = size;
    this.bytes = new Uint8Array(size * maxLength);
    this.off = new Int32Array(size + 1);
  }

  static of(strings: readonly string[]): StringTable {
    const t = new StringTable(strings.length, Math.max(...strings.map((s) => s.length)));
    for (const s of strings) t.add(ascii(s));
    return t.done();
  }

  /** Append one string, written by `write(bytes, pos) → end`. */
  write(write: (bytes: Uint8Array, pos: number) => number): void {
    this.pos = write(this.bytes, this.pos);
    this.off[++this.count] = this.pos;
  }

  add(chars: readonly number[]): void {
    this.bytes.set(chars, this.pos);
    this.pos += chars.length;
    this.off[++this.count] = this.pos;
  }

  done(): this {
    if (this.count !== this.size) throw new Error('string table not full');
    this.bytes = this.bytes.slice(0, this.pos);
    return this;
  }

  length(k: number): number {
    return this.off[k + 1]! - this.off[k]!;
  }

  get maxLength(): number {
    let max = 0;
    for (let k = 0; k < this.size; k++) max = Math.max(max, this.length(k));
    return max;
  }

  /** Copy string k into dst at pos; returns the position after it. */
  copy(k: number, dst: Uint8Array, pos: number): number {
    const b = this.bytes;
    for (let i = this.off[k]!, end = this.off[k + 1]!; i < end; i++) dst[pos++] = b[i]!;
    return pos;
  }

  /**
   * The table repeated as a tape, entries [0, capacity): entry k is entry k mod size, so any `rows` consecutive
   * entries from k0 < size are one contiguous range. Grown on demand to the largest batch asked for.
   */
  private tapeBytes?: Uint8Array;
  private tapeOff?: Int32Array;

  private ensureTape(capacity: number): { bytes: Uint8Array; off: Int32Array } {
    if (this.tapeOff && this.tapeOff.length > capacity) return { bytes: this.tapeBytes!, off: this.tapeOff };
    const periods = Math.ceil(capacity / this.size);
    const period = this.off[this.size]!;
    const off = new Int32Array(periods * this.size + 1);
    for (let r = 0; r < periods; r++) for (let k = 0; k < this.size; k++) off[r * this.size + k] = this.off[k]! + r * period;
    off[periods * this.size] = periods * period;
    this.tapeOff = off;
    this.tapeBytes = repeat(this.bytes, periods * period);
    return { bytes: this.tapeBytes, off };
  }

  /**
   * Entries k0, k0+1, ... (cyclically) as a column of `rows` values. The values are a view of the tape (zero-copy:
   * batches are read-only, as Arrow data is); only the offsets are written.
   */
  column(k0: number, rows: number): StrCol {
    const period = this.off[this.size]!;
    if (Math.ceil(rows / this.size + 1) * period > SHARED_LIMIT) {
      // Too big to keep around for later batches: this batch gets its own copy.
      const off = new Int32Array(rows + 1);
      const o = this.off;
      let pos = 0;
      for (let i = 0, k = k0; i < rows; i++) {
        pos += o[k + 1]! - o[k]!;
        off[i + 1] = pos;
        if (++k === this.size) k = 0;
      }
      return { off, data: cyclicCopy(this.bytes, o[k0]!, pos) };
    }
    const { bytes, off: o } = this.ensureTape(this.size + rows); // any k0 < size fits
    const off = new Int32Array(rows + 1);
    const base = o[k0]!;
    for (let i = 1; i <= rows; i++) off[i] = o[k0 + i]! - base;
    return { off, data: bytes.subarray(base, o[k0 + rows]!) };
  }
}

/** `length` bytes of `period` repeated, from `start`. */
function cyclicCopy(period: Uint8Array, start: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let w = Math.min(length, period.length - start);
  out.set(period.subarray(start, start + w));
  for (let n = 0; w < length; w += n) {
    n = Math.min(period.length, length - w);
    out.set(period.subarray(0, n), w);
  }
  return out;
}

/** `period` repeated to `length` bytes. */
function repeat(period: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(period.subarray(0, Math.min(period.length, length)));
  for (let filled = period.length; filled < length; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, length - filled));
  return out;
}

/**
 * Beam's nextString: 3 to maxLength−1 characters, each `special` with probability 1/13 else a random lower-case letter;
 * a space `special` is trimmed from both ends. Written at pos; returns the end.
 */
function writeNextString(rng: Rng, maxLength: number, special: number, dst: Uint8Array, pos: number): number {
  const start = pos;
  let len = MIN_STRING_LENGTH + rng.int(maxLength - MIN_STRING_LENGTH);
  while (len-- > 0) {
    // One draw per character: 13 × 26 outcomes, the first 26 (1 in 13) are the special character.
    const v = rng.int(338);
    if (v >= 26) dst[pos++] = 97 + (v % 26);
    else if (special !== 32 || pos > start) dst[pos++] = special;
  }
  if (special === 32) while (pos > start && dst[pos - 1] === 32) pos--;
  return pos;
}

function writeAscii(s: string, dst: Uint8Array, pos: number): number {
  for (let i = 0; i < s.length; i++) dst[pos++] = s.charCodeAt(i);
  return pos;
}

/** Java's Math.abs(Integer.reverse(n)). */
function javaAbsReverse(n: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) r = (r << 1) | ((n >>> i) & 1);
  return r === -2147483648 ? r : Math.abs(r);
}

/** The values and offsets of one string column of one batch. */
interface StrCol {
  data: Uint8Array;
  off: Int32Array;
}

const BID_TAPE = 1 << 16;
const AUCTION_TAPE = 1 << 14;
const PERSON_TAPE = 1 << 12;
const POOL_PERIOD = 1 << 20;
/** Tapes and pool grow (once) to serve a batch without copying, up to this many bytes; bigger batches copy. */
const SHARED_LIMIT = 64 << 20;

/** Flink's bid channels: 0–3 the hot ones with their URLs, 4 + N `channel-N`; most URLs end in a channel_id. */
function channelTables(rng: Rng): { channels: StringTable; urls: StringTable } {
  const channels = StringTable.of([...HOT_CHANNELS, ...Array.from({ length: CHANNELS_NUMBER }, (_, n) => `channel-${n}`)]);
  const urls = new StringTable(HOT_CHANNELS.length + CHANNELS_NUMBER, 96);
  const baseUrl = (dst: Uint8Array, pos: number): number => {
    pos = writeAscii('https://www.nexmark.com/', dst, pos);
    for (let k = 0; k < 3; k++) {
      pos = writeNextString(rng, 5, 95, dst, pos);
      dst[pos++] = 47; // '/'
    }
    return writeAscii('item.htm?query=1', dst, pos);
  };
  for (let k = 0; k < HOT_CHANNELS.length; k++) urls.write(baseUrl);
  for (let n = 0; n < CHANNELS_NUMBER; n++) {
    urls.write((dst, pos) => {
      pos = baseUrl(dst, pos);
      return rng.int(10) > 0 ? writeAscii(`&channel_id=${javaAbsReverse(n)}`, dst, pos) : pos;
    });
  }
  return { channels, urls: urls.done() };
}

/** The replayed payload of one seed: tapes and the filler pool (read-only, so generators with one seed share it). */
interface Payload {
  bidChannel: StringTable;
  bidUrl: StringTable;
  auctionName: StringTable;
  auctionDesc: StringTable;
  personEmail: StringTable;
  personCard: StringTable;
  pool: Uint8Array;
}

const payloads = new Map<number, Payload>();

function payloadFor(seed: number): Payload {
  let payload = payloads.get(seed);
  if (!payload) {
    if (payloads.size >= 4) payloads.delete(payloads.keys().next().value!);
    payload = buildPayload(seed);
    payloads.set(seed, payload);
  }
  return payload;
}

function buildPayload(seed: number): Payload {
  // Each part from its own stream, so none shifts another.
  const channelRng = new Rng(subSeed(seed, 3));
  const { channels, urls } = channelTables(channelRng);
  const bidChannel = new StringTable(BID_TAPE, channels.length(4 + CHANNELS_NUMBER - 1));
  const bidUrl = new StringTable(BID_TAPE, 96);
  for (let k = 0; k < BID_TAPE; k++) {
    const ch = channelRng.int(HOT_CHANNELS_RATIO) > 0 ? channelRng.int(HOT_CHANNELS.length) : HOT_CHANNELS.length + channelRng.int(CHANNELS_NUMBER);
    bidChannel.write((dst, pos) => channels.copy(ch, dst, pos));
    bidUrl.write((dst, pos) => urls.copy(ch, dst, pos));
  }

  const textRng = new Rng(subSeed(seed, 4));
  const auctionName = new StringTable(AUCTION_TAPE, 19);
  const auctionDesc = new StringTable(AUCTION_TAPE, 99);
  for (let k = 0; k < AUCTION_TAPE; k++) {
    auctionName.write((dst, pos) => writeNextString(textRng, 20, 32, dst, pos));
    auctionDesc.write((dst, pos) => writeNextString(textRng, 100, 32, dst, pos));
  }
  const personEmail = new StringTable(PERSON_TAPE, 15);
  const personCard = new StringTable(PERSON_TAPE, 19);
  for (let k = 0; k < PERSON_TAPE; k++) {
    personEmail.write((dst, pos) => {
      pos = writeNextString(textRng, 7, 32, dst, pos);
      dst[pos++] = 64; // '@'
      pos = writeNextString(textRng, 5, 32, dst, pos);
      return writeAscii('.com', dst, pos);
    });
    personCard.write((dst, pos) => {
      for (let g = 0; g < 4; g++) {
        if (g > 0) dst[pos++] = 32;
        const x = textRng.int(10000);
        dst[pos++] = 48 + ((x / 1000) | 0);
        dst[pos++] = 48 + (((x / 100) | 0) % 10);
        dst[pos++] = 48 + (((x / 10) | 0) % 10);
        dst[pos++] = 48 + (x % 10);
      }
      return pos;
    });
  }

  const pool = new Uint8Array(POOL_PERIOD);
  const poolRng = new Rng(subSeed(seed, 5));
  // 1 MiB of random letters; NexmarkGenerator.extra repeats it as far as a batch needs.
  for (let i = 0; i < POOL_PERIOD; i += 4) {
    // Four letters per draw (26^4 < 2^32 / 9, so the bias is tiny).
    let v = poolRng.u32();
    pool[i] = 97 + (v % 26);
    v = (v / 26) >>> 0;
    pool[i + 1] = 97 + (v % 26);
    v = (v / 26) >>> 0;
    pool[i + 2] = 97 + (v % 26);
    pool[i + 3] = 97 + (((v / 26) >>> 0) % 26);
  }
  return {
    bidChannel: bidChannel.done(), bidUrl: bidUrl.done(), auctionName: auctionName.done(), auctionDesc: auctionDesc.done(),
    personEmail: personEmail.done(), personCard: personCard.done(), pool,
  };
}

// ---- the generator ----------------------------------------------------------------------------------------------
export class NexmarkGenerator {
  readonly params: Readonly<NexmarkParams>;
  readonly eventsPerSecond: number;
  readonly firstEventTime: number;
  /** Number of the next event to generate (= events generated so far). */
  eventNumber = 0;

  private readonly total: number;
  private readonly personRng: Rng;
  private readonly auctionRng: Rng;
  private readonly bidRng: Rng;
  private readonly names = StringTable.of(FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`)));
  private readonly cities = StringTable.of(US_CITIES);
  private readonly states = StringTable.of(US_STATES);
  /** Tapes: bid k uses entry k mod BID_TAPE of bidChannel and bidUrl, and so on. */
  private readonly bidChannel: StringTable;
  private readonly bidUrl: StringTable;
  private readonly auctionName: StringTable;
  private readonly auctionDesc: StringTable;
  private readonly personEmail: StringTable;
  private readonly personCard: StringTable;
  /** The seed's tapes and the pool of letters `extra` columns are cut from; where each stream's next `extra` starts. */
  private readonly payload: Payload;
  private readonly poolCursor = { person: 0, auction: POOL_PERIOD / 4, bid: POOL_PERIOD / 2 };
  /** Rows generated so far per stream. */
  private persons = 0;
  private auctions = 0;
  private bids = 0;
  /** Auction durations are uniform in [1, 1 + 2 · this) ms. */
  private readonly auctionHorizonMs: number;

  constructor(opts: NexmarkOptions = {}) {
    const p = (this.params = Object.freeze({ ...NEXMARK_DEFAULTS, ...(opts.params ?? {}) }));
    for (const [k, v] of Object.entries(p)) {
      if (!Number.isInteger(v) || v < (k === 'idLead' ? 0 : 1)) throw new Error(`params.${k} must be an integer ≥ ${k === 'idLead' ? 0 : 1}`);
    }
    this.eventsPerSecond = opts.eventsPerSecond ?? DEFAULT_EVENTS_PER_SECOND;
    if (!(this.eventsPerSecond > 0)) throw new Error('eventsPerSecond must be positive');
    this.firstEventTime = opts.firstEventTime ?? DEFAULT_FIRST_EVENT_TIME;
    this.total = p.personProportion + p.auctionProportion + p.bidProportion;
    const seed = opts.seed ?? 42;
    this.personRng = new Rng(subSeed(seed, 0));
    this.auctionRng = new Rng(subSeed(seed, 1));
    this.bidRng = new Rng(subSeed(seed, 2));

    const payload = payloadFor(seed);
    this.bidChannel = payload.bidChannel;
    this.bidUrl = payload.bidUrl;
    this.auctionName = payload.auctionName;
    this.auctionDesc = payload.auctionDesc;
    this.personEmail = payload.personEmail;
    this.personCard = payload.personCard;
    this.payload = payload;
    // Beam: an auction lasts on average as long as its generator takes to create numInFlightAuctions more auctions;
    // each of Beam's numEventGenerators timelines runs at 1/numEventGenerators of the overall rate.
    const eventsForAuctions = Math.floor((p.numInFlightAuctions * this.total) / p.auctionProportion);
    this.auctionHorizonMs = Math.floor((eventsForAuctions * p.numEventGenerators * 1000) / this.eventsPerSecond);
  }

  /** Event time (ms) of event number n. */
  timestampOf(n: number): number {
    return this.firstEventTime + Math.floor((n * 1000) / this.eventsPerSecond);
  }

  /** The next `events` events, split into the three streams (each in event order). */
  next(events: number): NexmarkBatches {
    if (!Number.isInteger(events) || events < 0) throw new Error('events must be a non-negative integer');
    const p = this.params;
    const P = p.personProportion;
    const PA = P + p.auctionProportion;
    const T = this.total;
    const n0 = this.eventNumber;
    const n1 = n0 + events;
    // Rows of each kind among events [0, n): event n is a person if n mod T < P, an auction if < P + A, else a bid.
    const upTo = (n: number, lo: number, hi: number) => Math.floor(n / T) * (hi - lo) + Math.min(Math.max((n % T) - lo, 0), hi - lo);
    const nPerson = upTo(n1, 0, P) - upTo(n0, 0, P);
    const nAuction = upTo(n1, P, PA) - upTo(n0, P, PA);
    const nBid = events - nPerson - nAuction;
    this.eventNumber = n1;
    const out: NexmarkBatches = { count: events };
    if (nPerson > 0) out.person = this.personBatch(n0, nPerson);
    if (nAuction > 0) out.auction = this.auctionBatch(n0, nAuction);
    if (nBid > 0) out.bid = this.bidBatch(n0, nBid);
    return out;
  }

  /** The `rows` bids from event n0 on. */
  private bidBatch(n0: number, rows: number): RecordBatch {
    const p = this.params;
    const P = p.personProportion;
    const A = p.auctionProportion;
    const T = this.total;
    const rng = this.bidRng;
    const rate = this.eventsPerSecond;
    const t0 = this.firstEventTime;
    const lead = p.idLead;
    const hotAuctionRatio = p.hotAuctionRatio;
    const hotBiddersRatio = p.hotBiddersRatio;
    const inFlight = p.numInFlightAuctions;
    const activePeople = p.numActivePeople;
    // extraLength(rng, 32, avgBidByteSize) with its constants hoisted: 8 bytes for each of the four numbers.
    const extraRest = Math.max(p.avgBidByteSize - 32, 0);
    const extraDelta = p.avgBidByteSize < 32 ? 0 : Math.round(extraRest * 0.2);
    const extraMin = extraRest - extraDelta;
    const extraSpan = 2 * extraDelta;

    const time = new Int32Array(2 * rows);
    const auctionCol = new Int32Array(2 * rows);
    const bidderCol = new Int32Array(2 * rows);
    const priceCol = new Int32Array(2 * rows);
    const extraOff = new Int32Array(rows + 1);

    let { epoch, rem, n } = firstOfKind(n0, T, P + A);
    let lastAuction = 0;
    let hotAuction = 0;
    let minAuction = 0;
    let lastPerson = 0;
    let hotBidder = 0;
    let minBidder = 0;
    let bidderSpan = 0;
    let epochSet = -1;
    let extra = 0;
    for (let i = 0, j = 0; i < rows; i++, j += 2) {
      if (epoch !== epochSet) {
        // Per-epoch constants: the last auction and person created before this epoch's bids.
        epochSet = epoch;
        lastAuction = epoch * A + A - 1;
        hotAuction = Math.floor(lastAuction / HOT_BLOCK) * HOT_BLOCK + FIRST_AUCTION_ID;
        minAuction = lastAuction > inFlight ? lastAuction - inFlight : 0;
        lastPerson = epoch * P + P - 1;
        hotBidder = Math.floor(lastPerson / HOT_BLOCK) * HOT_BLOCK + 1;
        if (hotBidder > lastPerson && lead === 0) hotBidder = lastPerson;
        hotBidder += FIRST_PERSON_ID;
        const numPeople = lastPerson + 1;
        const active = numPeople < activePeople ? numPeople : activePeople;
        minBidder = numPeople - active + FIRST_PERSON_ID;
        bidderSpan = active + lead;
      }
      const ts = t0 + Math.floor((n * 1000) / rate);
      time[j] = ts;
      time[j + 1] = Math.floor(ts * INV_TWO_POW_32);
      const auction = rng.int(hotAuctionRatio) > 0 ? hotAuction : minAuction + FIRST_AUCTION_ID + rng.long(lastAuction - minAuction + 1 + lead);
      auctionCol[j] = auction;
      auctionCol[j + 1] = Math.floor(auction * INV_TWO_POW_32);
      const bidder = rng.int(hotBiddersRatio) > 0 ? hotBidder : minBidder + rng.long(bidderSpan);
      bidderCol[j] = bidder;
      bidderCol[j + 1] = Math.floor(bidder * INV_TWO_POW_32);
      priceCol[j] = nextPrice(rng); // < 2^31: the high word stays 0
      extra += extraMin + (extraSpan === 0 ? 0 : rng.int(extraSpan));
      extraOff[i + 1] = extra;
      n++;
      if (++rem === T) {
        epoch++;
        rem = P + A;
        n += P + A;
      }
    }
    const k0 = this.bids % BID_TAPE;
    this.bids += rows;
    return batch(BID_SCHEMA, rows, [
      i64(time), i64(auctionCol), i64(bidderCol), i64(priceCol), this.bidChannel.column(k0, rows), this.bidUrl.column(k0, rows),
      i64(time.slice()), { off: extraOff, data: this.extra('bid', extra) },
    ]);
  }

  /** The `rows` auctions from event n0 on. */
  private auctionBatch(n0: number, rows: number): RecordBatch {
    const p = this.params;
    const P = p.personProportion;
    const A = p.auctionProportion;
    const T = this.total;
    const rng = this.auctionRng;
    const lead = p.idLead;
    const activePeople = p.numActivePeople;
    const horizon2 = Math.max(this.auctionHorizonMs * 2, 1);
    const names = this.auctionName;
    const descs = this.auctionDesc;

    const time = new Int32Array(2 * rows);
    const id = new Int32Array(2 * rows);
    const initialBid = new Int32Array(2 * rows);
    const reserve = new Int32Array(2 * rows);
    const expires = new Int32Array(2 * rows);
    const seller = new Int32Array(2 * rows);
    const category = new Int32Array(2 * rows);
    const extraOff = new Int32Array(rows + 1);

    const k0 = this.auctions % AUCTION_TAPE;
    let k = k0;
    let { epoch, rem, n } = firstOfKind(n0, T, P, P + A);
    let extra = 0;
    for (let i = 0, j = 0; i < rows; i++, j += 2) {
      const ts = this.timestampOf(n);
      setI64(time, j, ts);
      setI64(id, j, epoch * A + (rem - P) + FIRST_AUCTION_ID);
      const lastPerson = epoch * P + P - 1;
      let s: number;
      if (rng.int(p.hotSellersRatio) > 0) s = Math.floor(lastPerson / HOT_BLOCK) * HOT_BLOCK;
      else {
        const numPeople = lastPerson + 1;
        const active = numPeople < activePeople ? numPeople : activePeople;
        s = numPeople - active + rng.long(active + lead);
      }
      setI64(seller, j, s + FIRST_PERSON_ID);
      category[j] = FIRST_CATEGORY_ID + rng.int(NUM_CATEGORIES);
      const initial = nextPrice(rng);
      initialBid[j] = initial;
      setI64(expires, j, ts + 1 + rng.long(horizon2));
      setI64(reserve, j, initial + nextPrice(rng));
      extra += extraLength(rng, 8 + names.length(k) + descs.length(k) + 40, p.avgAuctionByteSize);
      extraOff[i + 1] = extra;
      if (++k === AUCTION_TAPE) k = 0;
      n++;
      if (++rem === P + A) {
        epoch++;
        rem = P;
        n += T - A;
      }
    }
    this.auctions += rows;
    return batch(AUCTION_SCHEMA, rows, [
      i64(time), i64(id), names.column(k0, rows), descs.column(k0, rows), i64(initialBid), i64(reserve), i64(time.slice()), i64(expires),
      i64(seller), i64(category), { off: extraOff, data: this.extra('auction', extra) },
    ]);
  }

  /** The `rows` people from event n0 on. */
  private personBatch(n0: number, rows: number): RecordBatch {
    const p = this.params;
    const P = p.personProportion;
    const T = this.total;
    const rng = this.personRng;
    const time = new Int32Array(2 * rows);
    const id = new Int32Array(2 * rows);
    const name = { data: new Uint8Array(rows * this.names.maxLength), off: new Int32Array(rows + 1) };
    const city = { data: new Uint8Array(rows * this.cities.maxLength), off: new Int32Array(rows + 1) };
    const state = { data: new Uint8Array(rows * this.states.maxLength), off: new Int32Array(rows + 1) };
    const extraOff = new Int32Array(rows + 1);
    const emails = this.personEmail;
    const cards = this.personCard;

    const k0 = this.persons % PERSON_TAPE;
    let k = k0;
    let { epoch, rem, n } = firstOfKind(n0, T, 0, P);
    let extra = 0;
    let np = 0;
    let cp = 0;
    let sp = 0;
    for (let i = 0, j = 0; i < rows; i++, j += 2) {
      setI64(time, j, this.timestampOf(n));
      setI64(id, j, epoch * P + rem + FIRST_PERSON_ID);
      const n1 = this.names.copy(rng.int(FIRST_NAMES.length) * LAST_NAMES.length + rng.int(LAST_NAMES.length), name.data, np);
      const c1 = this.cities.copy(rng.int(US_CITIES.length), city.data, cp);
      const s1 = this.states.copy(rng.int(US_STATES.length), state.data, sp);
      const size = 8 + (n1 - np) + emails.length(k) + cards.length(k) + (c1 - cp) + (s1 - sp);
      name.off[i + 1] = np = n1;
      city.off[i + 1] = cp = c1;
      state.off[i + 1] = sp = s1;
      extra += extraLength(rng, size, p.avgPersonByteSize);
      extraOff[i + 1] = extra;
      if (++k === PERSON_TAPE) k = 0;
      n++;
      if (++rem === P) {
        epoch++;
        rem = 0;
        n += T - P;
      }
    }
    this.persons += rows;
    return batch(PERSON_SCHEMA, rows, [
      i64(time), i64(id), trim(name), emails.column(k0, rows), cards.column(k0, rows), trim(city), trim(state), i64(time.slice()),
      { off: extraOff, data: this.extra('person', extra) },
    ]);
  }

  /**
   * The next `bytes` of a stream's filler, continuing where its last `extra` ended (so batching doesn't matter): a view
   * of the pool, which repeats with period POOL_PERIOD and is grown so that any window from a cursor fits.
   */
  private extra(stream: 'person' | 'auction' | 'bid', bytes: number): Uint8Array {
    const cursor = this.poolCursor[stream];
    this.poolCursor[stream] = (cursor + bytes) % POOL_PERIOD;
    const period = this.payload.pool.subarray(0, POOL_PERIOD);
    if (POOL_PERIOD + bytes > SHARED_LIMIT) return cyclicCopy(period, cursor, bytes); // too big to keep around
    if (cursor + bytes > this.payload.pool.length) this.payload.pool = repeat(period, POOL_PERIOD + bytes);
    return this.payload.pool.subarray(cursor, cursor + bytes);
  }
}

/** The first event at or after n0 whose position in its epoch of T events is in [lo, hi). */
function firstOfKind(n0: number, T: number, lo: number, hi = T): { epoch: number; rem: number; n: number } {
  let epoch = Math.floor(n0 / T);
  let rem = n0 - epoch * T;
  if (rem >= hi) {
    epoch++;
    rem = lo;
  } else if (rem < lo) rem = lo;
  return { epoch, rem, n: epoch * T + rem };
}

/** Store a non-negative integer < 2^53 as the Int64 at pair j of a little-endian Int32 view. */
function setI64(a: Int32Array, j: number, v: number): void {
  a[j] = v;
  a[j + 1] = Math.floor(v * INV_TWO_POW_32);
}

function i64(a: Int32Array): BigInt64Array {
  return new BigInt64Array(a.buffer, a.byteOffset, a.length >> 1);
}

function trim(c: StrCol): StrCol {
  return { off: c.off, data: c.data.subarray(0, c.off[c.off.length - 1]!) };
}

function batch(schema: Schema, length: number, cols: (BigInt64Array | StrCol)[]): RecordBatch {
  const children: Data[] = cols.map((c, k) => {
    const type = schema.fields[k]!.type;
    if (c instanceof BigInt64Array) return makeData({ type: type as Int64, length, nullCount: 0, data: c });
    return makeData({ type: type as Utf8, length, nullCount: 0, valueOffsets: c.off, data: c.data });
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

/** The `Inputs` of a KDA application configuration for the three streams (what app.json holds). */
export function nexmarkInputs(): { NamePrefix: string; InputSchema: { RecordFormat: unknown; RecordEncoding: string; RecordColumns: { Name: string; SqlType: string; Mapping: string }[] } }[] {
  const input = (prefix: string, cols: ColumnDef[]) => ({
    NamePrefix: prefix,
    InputSchema: {
      RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
      RecordEncoding: 'UTF-8',
      RecordColumns: cols.map((c) => ({ Name: c.name, SqlType: show(c.type), Mapping: `$.${c.name}` })),
    },
  });
  return [input('PERSON', PERSON_COLUMNS), input('AUCTION', AUCTION_COLUMNS), input('BID', BID_COLUMNS)];
}
