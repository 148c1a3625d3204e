/** Byte builders for test captures: frames (Ethernet/IPv4/TCP/UDP) and pcap / pcapng containers. */
import { readFileSync } from 'node:fs';

export interface Rec {
  tsUs: number;
  data: Buffer;
  orig?: number;
  iface?: number;
}

const ip4 = (s: string) => s.split('.').map(Number);

export function tcpFrame(src: string, sport: number, dst: string, dport: number, seq: number, flags: number, payload: number[] = [], tags: number[] = []): Buffer {
  const eth = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6];
  if (tags.length === 2) eth.push(0x88, 0xa8, 0, tags[0], 0x81, 0x00, 0, tags[1]);
  else if (tags.length === 1) eth.push(0x81, 0x00, 0, tags[0]);
  eth.push(0x08, 0x00);
  const tot = 20 + 20 + payload.length;
  const ip = [0x45, 0, tot >> 8, tot & 255, 0, 0, 0x40, 0, 64, 6, 0, 0, ...ip4(src), ...ip4(dst)];
  const tcp = [sport >> 8, sport & 255, dport >> 8, dport & 255, (seq >>> 24) & 255, (seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0];
  return Buffer.from([...eth, ...ip, ...tcp, ...payload]);
}

export function pcap(recs: Rec[], o: { be?: boolean; ns?: boolean; linktype?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, off: number) => (o.be ? b.writeUInt32BE(v >>> 0, off) : b.writeUInt32LE(v >>> 0, off));
  const w16 = (b: Buffer, v: number, off: number) => (o.be ? b.writeUInt16BE(v, off) : b.writeUInt16LE(v, off));
  w32(h, o.ns ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, 2, 4);
  w16(h, 4, 6);
  w32(h, 65535, 16);
  w32(h, o.linktype ?? 1, 20);
  parts.push(h);
  for (const r of recs) {
    const rh = Buffer.alloc(16);
    const sec = Math.floor(r.tsUs / 1e6);
    const frac = r.tsUs - sec * 1e6;
    w32(rh, sec, 0);
    w32(rh, o.ns ? frac * 1000 : frac, 4);
    w32(rh, r.data.length, 8);
    w32(rh, r.orig ?? r.data.length, 12);
    parts.push(rh, r.data);
  }
  return Buffer.concat(parts);
}

/** Classic pcap → records (test helper; the reader under test is not used). */
export function readPcapRecords(file: string): { linktype: number; recs: Rec[] } {
  const b = readFileSync(file);
  const le = b.readUInt32LE(0) === 0xa1b2c3d4 || b.readUInt32LE(0) === 0xa1b23c4d;
  const ns = b.readUInt32LE(0) === 0xa1b23c4d || b.readUInt32BE(0) === 0xa1b23c4d;
  const r32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const recs: Rec[] = [];
  let p = 24;
  while (p + 16 <= b.length) {
    const incl = r32(p + 8);
    if (p + 16 + incl > b.length) break;
    recs.push({ tsUs: r32(p) * 1e6 + (ns ? Math.floor(r32(p + 4) / 1000) : r32(p + 4)), orig: r32(p + 12), data: b.subarray(p + 16, p + 16 + incl) });
    p += 16 + incl;
  }
  return { linktype: r32(20) & 0xffff, recs };
}

/**
 * pcapng with the given interfaces (link type, ts resolution option byte), an unknown block after the IDBs,
 * EPBs (or SPBs when `simple`), in either byte order.
 */
export function pcapng(ifaces: { linktype: number; tsresol?: number }[], recs: Rec[], o: { be?: boolean; simple?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  const w32 = (b: Buffer, v: number, off: number) => (o.be ? b.writeUInt32BE(v >>> 0, off) : b.writeUInt32LE(v >>> 0, off));
  const w16 = (b: Buffer, v: number, off: number) => (o.be ? b.writeUInt16BE(v, off) : b.writeUInt16LE(v, off));
  const block = (type: number, body: Buffer) => {
    const len = 12 + body.length;
    const b = Buffer.alloc(len);
    w32(b, type, 0);
    w32(b, len, 4);
    body.copy(b, 8);
    w32(b, len, len - 4);
    parts.push(b);
  };
  const shb = Buffer.alloc(16);
  w32(shb, 0x1a2b3c4d, 0);
  w16(shb, 1, 4);
  shb.fill(0xff, 8, 16);
  block(0x0a0d0d0a, shb);
  for (const i of ifaces) {
    const opts = i.tsresol !== undefined ? 12 : 0;
    const b = Buffer.alloc(8 + opts);
    w16(b, i.linktype, 0);
    w32(b, 65535, 4);
    if (opts) {
      w16(b, 9, 8);
      w16(b, 1, 10);
      b[12] = i.tsresol!;
      // end-of-options
    }
    block(1, b);
  }
  block(0x0bad0bad, Buffer.from('unknown block, skipped'.padEnd(24)));
  for (const r of recs) {
    const pad = (4 - (r.data.length & 3)) & 3;
    if (o.simple) {
      const b = Buffer.alloc(4 + r.data.length + pad);
      w32(b, r.orig ?? r.data.length, 0);
      r.data.copy(b, 4);
      block(3, b);
      continue;
    }
    const iface = r.iface ?? 0;
    const res = ifaces[iface].tsresol;
    const perSec = res === undefined ? 1e6 : res & 0x80 ? 2 ** (res & 0x7f) : 10 ** res;
    const units = BigInt(Math.round(r.tsUs)) * BigInt(perSec) / 1000000n;
    const b = Buffer.alloc(20 + r.data.length + pad);
    w32(b, iface, 0);
    w32(b, Number(units >> 32n), 4);
    w32(b, Number(units & 0xffffffffn), 8);
    w32(b, r.data.length, 12);
    w32(b, r.orig ?? r.data.length, 16);
    r.data.copy(b, 20);
    block(6, b);
  }
  return Buffer.concat(parts);
}
