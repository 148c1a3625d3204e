/**
 * Capture file containers: classic pcap (both byte orders, µs and ns) and pcapng (SHB/IDB/EPB/SPB and the
 * obsolete PB; several sections and interfaces, each with its own link type, timestamp resolution and offset;
 * unknown blocks skipped), plain or gzip-compressed. Streaming: one reused multi-MiB buffer filled with
 * `fs.readSync` (or from zlib's stream for .gz), records parsed in place and handed to the PacketDecoder.
 * Corrupt input ends the file with a CaptureError naming the byte offset; a truncated tail is a warning.
 */
import { closeSync, fstatSync, openSync, read, readSync, createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { PassThrough, Readable } from 'node:stream';
import type { PacketDecoder } from './decode.ts';

/** Largest record or block accepted (hostile length fields stop the file, not the machine). */
export const MAX_RECORD = 256 * 1024;
export const MAX_BLOCK = 16 * 1024 * 1024;
const DEFAULT_BUFFER = 8 * 1024 * 1024;

export class CaptureError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export interface ReadWarning {
  message: string;
  offset: number;
}

export type ContainerKind = 'pcap' | 'pcapng' | 'gzip' | 'unknown';

export function sniffContainer(b: Uint8Array): ContainerKind {
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length < 4) return 'unknown';
  const le = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  if (le === 0xa1b2c3d4 || le === 0xd4c3b2a1 || le === 0xa1b23c4d || le === 0x4d3cb2a1) return 'pcap';
  if (le === 0x0a0d0d0a) return 'pcapng';
  return 'unknown';
}

const STATE_START = 0;
const STATE_PCAP = 1;
const STATE_PCAPNG = 2;

/** Incremental container parser: `parse` consumes whole records and returns the index in `b` where it stopped. */
export class ContainerParser {
  private state = STATE_START;
  private le = true;
  private linktype = 1;
  private fracDiv = 1; // pcap: ts fraction units per µs (1 for µs, 1000 for ns)
  // pcapng interfaces of the current section
  private ifLink: number[] = [];
  private ifUnits: number[] = []; // µs per timestamp unit
  private ifOffset: number[] = []; // seconds
  private ifSnap: number[] = [];
  private lastTs = 0;
  private badIface = false;
  packets = 0;
  readonly warnings: ReadWarning[] = [];
  /** Linktypes seen, for the summary. */
  readonly linktypes = new Set<number>();

  constructor(private readonly dec: PacketDecoder) {}

  private u32(b: Uint8Array, o: number): number {
    return this.le ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0 : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }
  private u16(b: Uint8Array, o: number): number {
    return this.le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
  }

  /** Parses complete records in b[start, end); `base` is the file offset of b[0]. */
  parse(b: Uint8Array, start: number, end: number, base: number, eof: boolean): number {
    let p = start;
    if (this.state === STATE_START) {
      if (end - p < 4) {
        if (eof) throw new CaptureError(`not a capture file: ${end - p} byte(s), too short for a pcap or pcapng header`, base + p);
        return p;
      }
      const magic = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
      if (magic === 0x0a0d0d0a) {
        this.state = STATE_PCAPNG;
      } else {
        if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) this.le = true;
        else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) this.le = false;
        else throw new CaptureError(`not a pcap or pcapng file (magic 0x${magic.toString(16).padStart(8, '0')})`, base + p);
        if (end - p < 24) {
          if (eof) throw new CaptureError(`pcap file header cut short: ${end - p} of 24 bytes`, base + p);
          return p;
        }
        const m = this.u32(b, p);
        this.fracDiv = m === 0xa1b23c4d ? 1000 : 1;
        this.linktype = this.u32(b, p + 20) & 0x0fffffff;
        this.linktypes.add(this.linktype);
        this.state = STATE_PCAP;
        p += 24;
      }
    }
    return this.state === STATE_PCAP ? this.parsePcap(b, p, end, base, eof) : this.parsePcapng(b, p, end, base, eof);
  }

  private parsePcap(b: Uint8Array, p: number, end: number, base: number, eof: boolean): number {
    const dec = this.dec;
    const lt = this.linktype;
    const div = this.fracDiv;
    const le = this.le;
    while (p + 16 <= end) {
      let sec: number, frac: number, incl: number, orig: number;
      if (le) {
        sec = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
        frac = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
        incl = (b[p + 8] | (b[p + 9] << 8) | (b[p + 10] << 16) | (b[p + 11] << 24)) >>> 0;
        orig = (b[p + 12] | (b[p + 13] << 8) | (b[p + 14] << 16) | (b[p + 15] << 24)) >>> 0;
      } else {
        sec = this.u32(b, p);
        frac = this.u32(b, p + 4);
        incl = this.u32(b, p + 8);
        orig = this.u32(b, p + 12);
      }
      if (incl > MAX_RECORD) {
        throw new CaptureError(`record header claims ${incl} captured bytes (more than ${MAX_RECORD}); the file is corrupt from here on`, base + p);
      }
      if (p + 16 + incl > end) break;
      dec.recordOffset = base + p;
      dec.ts = sec * 1e6 + (div === 1 ? frac : Math.floor(frac / 1000));
      dec.packet(b, p + 16, incl, orig < incl ? incl : orig, lt);
      this.packets++;
      p += 16 + incl;
    }
    if (eof && p < end) {
      this.warnings.push({ message: `last record cut short: ${end - p} byte(s) after the last complete packet (file truncated)`, offset: base + p });
      return end;
    }
    return p;
  }

  private parsePcapng(b: Uint8Array, p: number, end: number, base: number, eof: boolean): number {
    const dec = this.dec;
    while (p + 12 <= end) {
      const typeRaw = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
      if (typeRaw === 0x0a0d0d0a) {
        const bom = (b[p + 8] | (b[p + 9] << 8) | (b[p + 10] << 16) | (b[p + 11] << 24)) >>> 0;
        if (bom === 0x1a2b3c4d) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else throw new CaptureError(`pcapng section header with an invalid byte-order magic 0x${bom.toString(16)}`, base + p);
        this.ifLink = [];
        this.ifUnits = [];
        this.ifOffset = [];
        this.ifSnap = [];
      }
      const type = this.u32(b, p);
      const blen = this.u32(b, p + 4);
      if (blen < 12 || blen % 4 !== 0) throw new CaptureError(`pcapng block of type 0x${type.toString(16)} has an invalid length ${blen}`, base + p);
      if (blen > MAX_BLOCK) throw new CaptureError(`pcapng block of type 0x${type.toString(16)} claims ${blen} bytes (more than ${MAX_BLOCK}); the file is corrupt from here on`, base + p);
      if (p + blen > end) break;
      if (this.u32(b, p + blen - 4) !== blen) throw new CaptureError(`pcapng block of type 0x${type.toString(16)}: trailing length differs from the leading length ${blen}`, base + p);
      if (type === 6 || type === 2) {
        // EPB: iface u32, ts hi, ts lo, caplen, origlen, data. PB: iface u16, drops u16, same after.
        if (blen < 32) throw new CaptureError(`pcapng packet block too short (${blen} bytes)`, base + p);
        const iface = type === 6 ? this.u32(b, p + 8) : this.u16(b, p + 8);
        const hi = this.u32(b, p + 12);
        const lo = this.u32(b, p + 16);
        const cap = this.u32(b, p + 20);
        const orig = this.u32(b, p + 24);
        if (iface >= this.ifLink.length) {
          if (!this.badIface) this.warnings.push({ message: `packet block names interface ${iface}, which no interface description block defined; such packets are skipped`, offset: base + p });
          this.badIface = true;
        } else if (28 + cap > blen - 4) {
          this.warnings.push({ message: `packet block captured length ${cap} exceeds its block (${blen} bytes); packet skipped`, offset: base + p });
        } else {
          const ts = (hi * 4294967296 + lo) * this.ifUnits[iface] + this.ifOffset[iface] * 1e6;
          this.lastTs = ts;
          dec.recordOffset = base + p;
          dec.ts = Math.floor(ts);
          dec.packet(b, p + 28, cap, orig < cap ? cap : orig, this.ifLink[iface]);
          this.packets++;
        }
      } else if (type === 3) {
        // SPB: original length, data; captured = min(orig, snaplen, block room).
        if (this.ifLink.length === 0) {
          if (!this.badIface) this.warnings.push({ message: 'simple packet block before any interface description block; skipped', offset: base + p });
          this.badIface = true;
        } else {
          const orig = this.u32(b, p + 8);
          let cap = blen - 16;
          if (orig < cap) cap = orig;
          const snap = this.ifSnap[0];
          if (snap > 0 && snap < cap) cap = snap;
          dec.recordOffset = base + p;
          dec.ts = Math.floor(this.lastTs);
          dec.packet(b, p + 12, cap, orig, this.ifLink[0]);
          this.packets++;
        }
      } else if (type === 1) {
        if (blen < 20) throw new CaptureError(`interface description block too short (${blen} bytes)`, base + p);
        const link = this.u16(b, p + 8);
        const snap = this.u32(b, p + 12);
        let units = 1; // µs per unit (default resolution 10^-6)
        let offset = 0;
        let q = p + 16;
        const oend = p + blen - 4;
        while (q + 4 <= oend) {
          const code = this.u16(b, q);
          const olen = this.u16(b, q + 2);
          if (code === 0) break;
          if (q + 4 + olen > oend) break;
          if (code === 9 && olen >= 1) {
            const r = b[q + 4];
            const perSec = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** (r & 0x7f);
            units = 1e6 / perSec;
          } else if (code === 14 && olen >= 8) {
            const lo32 = this.u32(b, q + 4 + (this.le ? 0 : 4));
            const hi32 = this.u32(b, q + 4 + (this.le ? 4 : 0)) | 0;
            offset = hi32 * 4294967296 + lo32;
          }
          q += 4 + ((olen + 3) & ~3);
        }
        this.ifLink.push(link);
        this.ifUnits.push(units);
        this.ifOffset.push(offset);
        this.ifSnap.push(snap);
        this.linktypes.add(link);
      }
      // SHB (0x0A0D0D0A), name resolution, statistics, custom and unknown blocks: nothing to count.
      p += blen;
    }
    if (eof && p < end) {
      this.warnings.push({ message: `last block cut short: ${end - p} byte(s) after the last complete block (file truncated)`, offset: base + p });
      return end;
    }
    return p;
  }
}

export interface ReadProgress {
  (bytesDone: number, bytesTotal: number): void | Promise<void>;
}

export interface FileReadResult {
  file: string;
  container: ContainerKind;
  packets: number;
  bytesRead: number;
  linktypes: number[];
  warnings: ReadWarning[];
  error?: { message: string; offset: number };
}

/** What reading one input gives back, as it stands when called (with the error that stopped it, if one did). */
function readResult(file: string, parser: ContainerParser, container: () => ContainerKind, bytesRead: () => number) {
  return (error?: { message: string; offset: number }): FileReadResult => ({
    file,
    container: container(),
    packets: parser.packets,
    bytesRead: bytesRead(),
    linktypes: [...parser.linktypes].sort((a, b) => a - b),
    warnings: parser.warnings,
    ...(error ? { error } : {}),
  });
}

let shared: Buffer | undefined;
function workBuffer(min: number): Buffer {
  if (!shared || shared.length < min) shared = Buffer.allocUnsafe(Math.max(min, DEFAULT_BUFFER));
  return shared;
}

/**
 * Room kept in front of each read so the unparsed tail of the previous chunk (a record cut by the chunk's end)
 * can be put right before the new bytes. Every pcap record fits; a larger pcapng block takes the slow path.
 */
const HEADROOM = 1024 * 1024;
let readBuffers: [Buffer, Buffer] | undefined;

function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number, overlap: boolean): Promise<number> {
  if (!overlap) return Promise.resolve(readSync(fd, buf, offset, length, position));
  return new Promise((resolve, reject) => read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/**
 * Reads one capture file into the decoder. Never throws for bad content: the problem comes back in
 * `error` (fatal for the rest of this file) or `warnings`, each with a byte offset.
 * `displayName` is what diagnostics call the file.
 *
 * Two buffers take turns: while the packets of one are decoded here, the next chunk is read into the other by
 * libuv's thread pool. Copying 1 GB out of the page cache costs about a third of the packet loop's time, and
 * this way it overlaps with decoding instead of adding to it. With `overlap` false the chunks are read in turn
 * on this thread (for a pool whose threads already keep every core busy).
 */
export async function readCaptureFile(path: string, dec: PacketDecoder, displayName = path, progress?: ReadProgress, overlap = true): Promise<FileReadResult> {
  const parser = startInput(dec, displayName);
  const fd = openSync(path, 'r');
  let closed = false;
  let container: ContainerKind = 'unknown';
  let bytesRead = 0;
  const result = readResult(displayName, parser, () => container, () => bytesRead);
  let pending: Promise<number> | undefined;
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(4);
    const hn = readSync(fd, head, 0, 4, 0);
    container = sniffContainer(head.subarray(0, hn));
    if (container === 'gzip') {
      closeSync(fd);
      closed = true;
      return await readStream(createReadStream(path, { highWaterMark: 1024 * 1024 }), parser, displayName, progress, size);
    }
    const bufs = (readBuffers ??= [Buffer.allocUnsafe(HEADROOM + DEFAULT_BUFFER), Buffer.allocUnsafe(HEADROOM + DEFAULT_BUFFER)]);
    let turn = 0;
    // The bytes not yet parsed: tail[tailStart, tailEnd) at file offset `base`.
    let tail: Buffer = bufs[1];
    let tailStart = 0;
    let tailEnd = 0;
    let base = 0;
    let pos = 0;
    let lastReport = 0;
    pending = readAt(fd, bufs[0], HEADROOM, DEFAULT_BUFFER, 0, overlap);
    for (;;) {
      const n = await pending!;
      pending = undefined;
      const cur = bufs[turn];
      pos += n;
      bytesRead = pos;
      const eof = n === 0;
      const keep = tailEnd - tailStart;
      let b: Buffer;
      let start: number;
      if (keep <= HEADROOM) {
        b = cur;
        start = HEADROOM - keep;
        tail.copy(b, start, tailStart, tailEnd);
      } else {
        // A block longer than the headroom (pcapng allows 16 MiB): join it with the new bytes in a buffer of its own.
        b = Buffer.allocUnsafe(keep + n);
        tail.copy(b, 0, tailStart, tailEnd);
        cur.copy(b, keep, HEADROOM, HEADROOM + n);
        start = 0;
      }
      const end = b === cur ? HEADROOM + n : keep + n;
      // The other buffer's tail has been copied out: it is free for the next chunk while this one is parsed.
      if (!eof) pending = readAt(fd, bufs[turn ^ 1], HEADROOM, DEFAULT_BUFFER, pos, overlap);
      let used: number;
      try {
        used = parser.parse(b, start, end, base - start, eof);
      } catch (e) {
        if (e instanceof CaptureError) return result({ message: e.message, offset: e.offset });
        throw e;
      }
      if (eof) break;
      base += used - start;
      tail = b;
      tailStart = used;
      tailEnd = end;
      turn ^= 1;
      if (progress && pos - lastReport >= 64 * 1024 * 1024) {
        lastReport = pos;
        await progress(pos, size);
      }
    }
    if (progress) await progress(pos, size);
    return result();
  } finally {
    // A read still in flight (the file ended in an error) must finish before its descriptor is closed.
    if (pending) await pending.catch(() => 0);
    if (!closed) closeSync(fd);
  }
}

function growBuffer(buf: Buffer, keep: number): Buffer {
  const n = Buffer.allocUnsafe(buf.length * 2);
  buf.copy(n, 0, 0, keep);
  shared = n;
  return n;
}

/**
 * Reads a capture from a stream (standard input, a pipe: no size, no random access), plain or gzip-compressed
 * as its first bytes say, in whatever pieces the stream delivers. `stop` ends reading early (Ctrl-C while
 * capturing live): the packets read so far are counted and a warning says where reading stopped.
 */
export function readCaptureStream(input: Readable, dec: PacketDecoder, displayName: string, progress?: ReadProgress, stop?: AbortSignal): Promise<FileReadResult> {
  return readStream(input, startInput(dec, displayName), displayName, progress, 0, stop);
}

/** The container parser for the next input, which the decoder now names in its diagnostics and conversations. */
function startInput(dec: PacketDecoder, displayName: string): ContainerParser {
  dec.file = displayName;
  dec.fileIndex = Math.min(dec.files.push(displayName) - 1, 0xffff);
  return new ContainerParser(dec);
}

/**
 * A stream (a gzip file, standard input) in the pieces it delivers, decompressed on the way when its first bytes
 * are gzip's, into the work buffer; complete records are parsed as they arrive. `size` is for progress (0:
 * unknown).
 */
async function readStream(input: Readable, parser: ContainerParser, displayName: string, progress: ReadProgress | undefined, size: number, stop?: AbortSignal): Promise<FileReadResult> {
  let container: ContainerKind = 'unknown';
  let raw = 0;
  const result = readResult(displayName, parser, () => container, () => raw);
  let stopped = false;
  const onStop = () => {
    stopped = true;
    input.destroy();
  };
  if (stop?.aborted) onStop();
  stop?.addEventListener('abort', onStop, { once: true });
  let buf = workBuffer(DEFAULT_BUFFER);
  let fill = 0;
  let base = 0;
  let lastReport = 0;
  let gz = false;
  try {
    const counted = new PassThrough();
    input.on('data', (c: Buffer) => (raw += c.length));
    input.on('error', (e) => counted.destroy(e));
    input.on('close', () => {
      if (stopped) counted.end();
    });
    input.pipe(counted);
    const first = await firstBytes(counted, 2);
    if (first.length === 0 && !stopped) return result({ message: 'standard input is empty: no capture file header', offset: 0 });
    gz = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
    if (gz) container = 'gzip';
    const rest = Readable.from(prepend(first, counted));
    const decoded = gz ? rest.pipe(createGunzip()) : rest;
    if (gz) rest.on('error', (e) => decoded.destroy(e));
    let sniffed = false;
    for await (const chunk of decoded as AsyncIterable<Buffer>) {
      let c = 0;
      while (c < chunk.length) {
        if (fill === buf.length) buf = growBuffer(buf, fill);
        const k = Math.min(chunk.length - c, buf.length - fill);
        chunk.copy(buf, fill, c, c + k);
        fill += k;
        c += k;
        if (!sniffed && fill >= 4) {
          sniffed = true;
          const inner = sniffContainer(buf.subarray(0, 4));
          if (inner !== 'unknown' || !gz) container = inner;
        }
        const used = parser.parse(buf, 0, fill, base, false);
        if (used < fill) buf.copyWithin(0, used, fill);
        base += used;
        fill -= used;
      }
      if (progress && raw - lastReport >= 16 * 1024 * 1024) {
        lastReport = raw;
        await progress(raw, size);
      }
    }
    // Stopped on request, the bytes after the last whole record are a record cut by the stop, not by damage.
    parser.parse(buf, 0, fill, base, !stopped);
    if (progress) await progress(raw, size);
    return result();
  } catch (e) {
    input.destroy();
    const inStream = gz ? ' (offset in the decompressed stream)' : '';
    if (e instanceof CaptureError) return result({ message: `${e.message}${inStream}`, offset: e.offset });
    const msg = e instanceof Error ? e.message : String(e);
    // Corrupt or truncated compressed data, or the stream stopped on request. Keep what was decoded.
    let tailError: CaptureError | undefined;
    try {
      parser.parse(buf, 0, fill, base, !stopped);
    } catch (t) {
      if (t instanceof CaptureError) tailError = t;
    }
    if (stopped) return tailError ? result({ message: `${tailError.message}${inStream}`, offset: tailError.offset }) : result();
    if (!gz) return result({ message: `reading stopped: ${msg}; packets before this point were counted`, offset: base + fill });
    return result({ message: `gzip data is corrupt or cut short (${msg}); packets before this point were counted`, offset: base + fill });
  } finally {
    stop?.removeEventListener('abort', onStop);
    // The result holds the parser's warnings array: this reaches whichever result was returned.
    if (stopped) parser.warnings.push({ message: `reading stopped on request (interrupt) after ${parser.packets} packet(s); what was read is counted`, offset: raw });
  }
}

/** The stream's first `n` bytes (fewer at its end), taken off it. */
async function firstBytes(s: Readable, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const c = s.read() as Buffer | null;
    if (c) {
      parts.push(c);
      have += c.length;
      continue;
    }
    if (s.readableEnded || s.destroyed) break;
    await new Promise<void>((resolve) => {
      const done = () => {
        s.off('readable', done);
        s.off('end', done);
        s.off('close', done);
        resolve();
      };
      s.once('readable', done);
      s.once('end', done);
      s.once('close', done);
    });
  }
  return Buffer.concat(parts);
}

async function* prepend(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (first.length) yield first;
  yield* rest;
}
