/**
 * Per-packet decoding: link layer → IPv4/IPv6 → TCP/UDP/ICMP → conversation table and application codes.
 * The hot path: reads bytes by offset from the reader's buffer, writes only into typed arrays and number
 * fields, allocates nothing and creates no closures per packet.
 */
import { CodeCounter, ConnTable } from './conn-table.ts';
import {
  APP_DNP3,
  APP_ENIP,
  APP_ICMP,
  APP_MODBUS,
  APP_OPCUA,
  APP_PENDING,
  APP_S7,
  APP_UNKNOWN,
  classifyTcp,
  classifyUdp,
} from './classify.ts';
import { MBAP_MAX_LENGTH } from './modbus.ts';
import { dnp3FrameLength, dnp3FunctionCode } from './dnp3.ts';
import { s7PduCode, tpktLength } from './s7comm.ts';
import { enipLength, enipPduCode } from './enip.ts';
import { opcuaChunkSize, opcuaMessageType, opcuaSecurity } from './opcua.ts';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_OPENBSD = 12; // DLT_RAW on most systems (value 12 in the DLT space)
export const LINKTYPE_RAW_14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_LINUX_SLL2 = 276;

export const SUPPORTED_LINKTYPES: readonly number[] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 239, 276];

/** Applications whose codes are read from the byte stream, so segment order matters. */
const STREAM_CODES: readonly boolean[] = (() => {
  const a: boolean[] = [];
  for (const app of [APP_MODBUS, APP_DNP3, APP_S7, APP_ENIP, APP_OPCUA]) a[app] = true;
  return a;
})();
const HELD_PER_DIRECTION = 16;
const REASSEMBLY_BYTES = 16 << 20;
const REASSEMBLY_DATAGRAMS = 4096;
const MAX_DATAGRAM = 65535;

interface Reassembly {
  fam: number;
  s: number[];
  d: number[];
  /** Transport protocol, known from the first fragment (-1 until it comes). */
  proto: number;
  /** Datagram payload length, known from the last fragment (-1 until it comes). */
  total: number;
  /** Fragments in arrival order (the first copy of a byte wins) and the same sorted by offset (coverage). */
  parts: FragmentPart[];
  byOffset: FragmentPart[];
  bytes: number;
  /** Frame length and time of the first fragment (offset 0), for a datagram that never completes. */
  firstWire: number;
  firstTs: number;
}

interface FragmentPart {
  offset: number;
  data: Uint8Array;
}

/** Fragments kept per datagram: a real one has at most ~45 (1500-byte MTU); 8-byte slivers stop here. */
const MAX_PARTS = 1024;

/** Length of the leading run of bytes covered without a hole, from parts sorted by offset: one pass. */
function coveredPrefix(byOffset: readonly FragmentPart[]): number {
  let end = 0;
  for (const p of byOffset) {
    if (p.offset > end) break;
    if (p.offset + p.data.length > end) end = p.offset + p.data.length;
  }
  return end;
}

/** The parts laid out in one buffer of `len` bytes; where parts overlap, the first one received wins. */
function assemble(parts: readonly FragmentPart[], len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let k = parts.length - 1; k >= 0; k--) {
    const p = parts[k];
    if (p.offset < len) out.set(p.data.subarray(0, Math.min(p.data.length, len - p.offset)), p.offset);
  }
  return out;
}
const HELD_BYTES = 16 << 20;

interface HeldSegment {
  seq: number;
  len: number;
  data: Uint8Array;
  sport: number;
  dport: number;
}

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/** Packet-level problems, counted with the byte offset of the first occurrence. */
export const ISSUE_TRUNCATED_L2 = 0;
export const ISSUE_BAD_IP_HEADER = 1;
export const ISSUE_TRUNCATED_L4 = 2;
export const ISSUE_MODBUS_FRAMING = 3;
export const ISSUE_UNSUPPORTED_LINKTYPE = 4;
export const ISSUE_NAMES = [
  'packets too short for their link-layer header',
  'packets with an invalid or cut-short IP header',
  'packets whose TCP/UDP/ICMP header is cut short',
  'Modbus/TCP streams that lost framing (protocol id not 0 or length out of range); counting resumed at the next segment',
  'packets of an unsupported link type',
];

export interface DecodeStats {
  packets: number;
  bytes: number;
  ipv4: number;
  ipv6: number;
  nonIp: number;
  fragments: number;
  tcp: number;
  udp: number;
  icmp: number;
  otherIp: number;
  vlanTagged: number;
  modbusAdus: number;
  /** IP datagrams put together from fragments. */
  reassembled: number;
  /** TCP segments that arrived ahead of a gap and were held until it filled (or was given up). */
  tcpReordered: number;
}

export class PacketDecoder {
  /** Replaced by empty tables in `releaseTables` once the flows are built from them. */
  conns: ConnTable;
  codes = new CodeCounter();
  readonly stats: DecodeStats = {
    packets: 0,
    bytes: 0,
    ipv4: 0,
    ipv6: 0,
    nonIp: 0,
    fragments: 0,
    tcp: 0,
    udp: 0,
    icmp: 0,
    otherIp: 0,
    vlanTagged: 0,
    modbusAdus: 0,
    reassembled: 0,
    tcpReordered: 0,
  };
  readonly issueCount = new Float64Array(ISSUE_NAMES.length);
  readonly issueOffset = new Float64Array(ISSUE_NAMES.length).fill(-1);
  readonly issueFile: (string | undefined)[] = new Array(ISSUE_NAMES.length).fill(undefined);
  /** The file and the byte offset of the record being decoded (set by the reader; used in diagnostics only). */
  file = '';
  /** Names of the files read so far; `fileIndex` is the current one's (conversations remember where they began). */
  readonly files: string[] = [];
  fileIndex = 0;
  recordOffset = 0;
  /**
   * Timestamp (µs) of the packet being decoded, set by the reader before `packet`: a field, not an argument,
   * because a double passed down the call chain is boxed at each call, millions of allocations per gigabyte.
   */
  ts = NaN;
  /** Linktype of the last unsupported-linktype packet. */
  lastBadLinktype = -1;

  /** Tunnel nesting depth of the datagram being decoded. */
  private depth = 0;
  // Current packet's addresses (no per-packet allocation).
  private fam = 4;
  // Address words as int32, not uint32: a value above 2^31 is a double, boxed whenever it is passed on.
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private d0 = 0;
  private d1 = 0;
  private d2 = 0;
  private d3 = 0;

  constructor(conns = new ConnTable()) {
    this.conns = conns;
  }

  /**
   * Drops the conversation and code tables (the biggest memory of a capture with many conversations) once
   * their flows have been built; stats and issue counts stay. Packets decoded afterwards start new tables.
   */
  releaseTables(): void {
    this.conns = new ConnTable(16);
    this.codes = new CodeCounter(16);
  }

  private issue(kind: number): void {
    if (this.issueCount[kind]++ === 0) {
      this.issueOffset[kind] = this.recordOffset;
      this.issueFile[kind] = this.file;
    }
  }

  /** One captured frame: `caplen` bytes at `off` in `b`, `wirelen` on the wire, timestamp in µs. */
  packet(b: Uint8Array, off: number, caplen: number, wirelen: number, linktype: number, ts?: number): void {
    if (ts !== undefined) this.ts = ts;
    const st = this.stats;
    st.packets++;
    st.bytes += wirelen;
    const end = off + caplen;
    let p = off;
    let etype = 0;
    switch (linktype) {
      case LINKTYPE_ETHERNET:
        if (caplen < 14) return this.issue(ISSUE_TRUNCATED_L2);
        etype = (b[p + 12] << 8) | b[p + 13];
        p += 14;
        break;
      case LINKTYPE_LINUX_SLL:
        if (caplen < 16) return this.issue(ISSUE_TRUNCATED_L2);
        etype = (b[p + 14] << 8) | b[p + 15];
        p += 16;
        break;
      case LINKTYPE_LINUX_SLL2:
        if (caplen < 20) return this.issue(ISSUE_TRUNCATED_L2);
        etype = (b[p] << 8) | b[p + 1];
        p += 20;
        break;
      case LINKTYPE_RAW:
      case LINKTYPE_RAW_OPENBSD:
      case LINKTYPE_RAW_14:
      case LINKTYPE_IPV4:
      case LINKTYPE_IPV6:
        if (caplen < 1) return this.issue(ISSUE_TRUNCATED_L2);
        etype = b[p] >> 4 === 6 ? 0x86dd : 0x0800;
        break;
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP: {
        if (caplen < 4) return this.issue(ISSUE_TRUNCATED_L2);
        // Address family in host (NULL) or network (LOOP) byte order: 2 = IPv4; 24, 28, 30 = IPv6.
        const af = b[p] | b[p + 3];
        etype = af === 2 ? 0x0800 : af === 24 || af === 28 || af === 30 ? 0x86dd : 0;
        p += 4;
        break;
      }
      case LINKTYPE_NFLOG: {
        // 4-byte header, then TLVs (length u16 host order incl. header, type u16); type 9 = payload.
        if (caplen < 4) return this.issue(ISSUE_TRUNCATED_L2);
        const family = b[p];
        p += 4;
        let found = false;
        while (p + 4 <= end) {
          const tl = b[p] | (b[p + 1] << 8);
          const tt = b[p + 2] | (b[p + 3] << 8);
          if (tl < 4) break;
          if ((tt & 0x7fff) === 9) {
            found = true;
            p += 4;
            break;
          }
          p += (tl + 3) & ~3;
        }
        if (!found) {
          st.nonIp++;
          return;
        }
        etype = family === 10 ? 0x86dd : 0x0800;
        break;
      }
      default:
        this.lastBadLinktype = linktype;
        return this.issue(ISSUE_UNSUPPORTED_LINKTYPE);
    }
    // 802.1Q, 802.1ad (QinQ) and the old 0x9100 tag, stacked.
    let tags = 0;
    while ((etype === 0x8100 || etype === 0x88a8 || etype === 0x9100) && tags < 8) {
      if (p + 4 > end) return this.issue(ISSUE_TRUNCATED_L2);
      etype = (b[p + 2] << 8) | b[p + 3];
      p += 4;
      tags++;
    }
    if (tags) st.vlanTagged++;
    // 802.3 length field + LLC/SNAP (AA AA 03, OUI, EtherType).
    if (etype <= 1500 && linktype === LINKTYPE_ETHERNET && p + 8 <= end && b[p] === 0xaa && b[p + 1] === 0xaa && b[p + 2] === 0x03) {
      etype = (b[p + 6] << 8) | b[p + 7];
      p += 8;
    }
    if (etype === 0x0800) this.ipv4(b, p, end, wirelen);
    else if (etype === 0x86dd) this.ipv6(b, p, end, wirelen);
    else st.nonIp++;
  }

  private ipv4(b: Uint8Array, p: number, end: number, wirelen: number): void {
    if (p + 20 > end || b[p] >> 4 !== 4) {
      if (p + 1 <= end && b[p] >> 4 === 4) return this.issue(ISSUE_BAD_IP_HEADER);
      return this.issue(ISSUE_BAD_IP_HEADER);
    }
    const ihl = (b[p] & 15) << 2;
    if (ihl < 20) return this.issue(ISSUE_BAD_IP_HEADER);
    const total = (b[p + 2] << 8) | b[p + 3];
    this.stats.ipv4++;
    const frag = ((b[p + 6] << 8) | b[p + 7]) & 0x3fff;
    this.fam = 4;
    this.s0 = ((b[p + 12] << 24) | (b[p + 13] << 16) | (b[p + 14] << 8) | b[p + 15]) | 0;
    this.d0 = ((b[p + 16] << 24) | (b[p + 17] << 16) | (b[p + 18] << 8) | b[p + 19]) | 0;
    this.s1 = this.s2 = this.s3 = this.d1 = this.d2 = this.d3 = 0;
    const proto = b[p + 9];
    // Total length bounds the datagram (Ethernet padding excluded); 0 = TSO-captured, use what is there.
    let ipEnd = total >= ihl ? p + total : end;
    const capEnd = ipEnd < end ? ipEnd : end;
    if (total !== 0 && total < ihl) return this.issue(ISSUE_BAD_IP_HEADER);
    if (p + ihl > end) return this.issue(ISSUE_BAD_IP_HEADER);
    if (total === 0) ipEnd = end;
    if (frag !== 0) {
      this.stats.fragments++;
      const id = (b[p + 4] << 8) | b[p + 5];
      return this.fragment(`4|${this.s0}|${this.d0}|${id}|${proto}`, proto, (frag & 0x1fff) << 3, (frag & 0x2000) !== 0, b, p + ihl, capEnd, ipEnd, wirelen);
    }
    this.l4(proto, b, p + ihl, capEnd, ipEnd, wirelen);
  }

  private ipv6(b: Uint8Array, p: number, end: number, wirelen: number): void {
    if (p + 40 > end || b[p] >> 4 !== 6) return this.issue(ISSUE_BAD_IP_HEADER);
    this.stats.ipv6++;
    const plen = (b[p + 4] << 8) | b[p + 5];
    let nh = b[p + 6];
    this.fam = 6;
    this.s0 = ((b[p + 8] << 24) | (b[p + 9] << 16) | (b[p + 10] << 8) | b[p + 11]) | 0;
    this.s1 = ((b[p + 12] << 24) | (b[p + 13] << 16) | (b[p + 14] << 8) | b[p + 15]) | 0;
    this.s2 = ((b[p + 16] << 24) | (b[p + 17] << 16) | (b[p + 18] << 8) | b[p + 19]) | 0;
    this.s3 = ((b[p + 20] << 24) | (b[p + 21] << 16) | (b[p + 22] << 8) | b[p + 23]) | 0;
    this.d0 = ((b[p + 24] << 24) | (b[p + 25] << 16) | (b[p + 26] << 8) | b[p + 27]) | 0;
    this.d1 = ((b[p + 28] << 24) | (b[p + 29] << 16) | (b[p + 30] << 8) | b[p + 31]) | 0;
    this.d2 = ((b[p + 32] << 24) | (b[p + 33] << 16) | (b[p + 34] << 8) | b[p + 35]) | 0;
    this.d3 = ((b[p + 36] << 24) | (b[p + 37] << 16) | (b[p + 38] << 8) | b[p + 39]) | 0;
    const ipEnd = plen === 0 ? end : p + 40 + plen;
    const capEnd = ipEnd < end ? ipEnd : end;
    let q = p + 40;
    for (let i = 0; i < 8; i++) {
      if (nh === 0 || nh === 43 || nh === 60) {
        if (q + 8 > capEnd) return this.issue(ISSUE_TRUNCATED_L4);
        nh = b[q];
        q += (b[q + 1] + 1) << 3;
      } else if (nh === 51) {
        if (q + 8 > capEnd) return this.issue(ISSUE_TRUNCATED_L4);
        nh = b[q];
        q += (b[q + 1] + 2) << 2;
      } else if (nh === 44) {
        if (q + 8 > capEnd) return this.issue(ISSUE_TRUNCATED_L4);
        this.stats.fragments++;
        const fo = ((b[q + 2] << 8) | b[q + 3]) & 0xfff8;
        const more = (b[q + 3] & 1) !== 0;
        const id = ((b[q + 4] << 24) | (b[q + 5] << 16) | (b[q + 6] << 8) | b[q + 7]) >>> 0;
        nh = b[q];
        q += 8;
        const key = `6|${this.s0}|${this.s1}|${this.s2}|${this.s3}|${this.d0}|${this.d1}|${this.d2}|${this.d3}|${id}`;
        // Extension headers after the fragment header belong to the fragmentable part: l4 of the whole
        // datagram starts at the first fragment's next header (the usual case: the transport header).
        return this.fragment(key, nh, fo, more, b, q, capEnd, ipEnd, wirelen);
      } else break;
    }
    if (q > capEnd) return this.issue(ISSUE_TRUNCATED_L4);
    this.l4(nh, b, q, capEnd, ipEnd, wirelen);
  }

  /** IP datagrams being reassembled, by (family, addresses, id[, protocol]); insertion order = age. */
  private readonly reassembly = new Map<string, Reassembly>();
  private reassemblyBytes = 0;

  /**
   * One IPv4 or IPv6 fragment. Fragments are copied and put together; when a datagram is complete it is
   * decoded as one packet, attributed (as tshark does) to the frame that completed it. Reassembly reads the
   * transport header and payload of every fragment, so a Modbus write split over tiny fragments (RFC 1858)
   * is still seen. Overlapping data: the first copy of each byte is kept. Bounded: at most REASSEMBLY_BYTES
   * buffered and REASSEMBLY_DATAGRAMS pending; the oldest are given up (their first fragment, if any, decoded
   * on its own, as an unreassembled datagram was before), as are the incomplete ones at the end of the input.
   */
  private fragment(key: string, proto: number, offset: number, more: boolean, b: Uint8Array, q: number, capEnd: number, ipEnd: number, wirelen: number): void {
    let r = this.reassembly.get(key);
    if (!r) {
      if (this.reassembly.size >= REASSEMBLY_DATAGRAMS) this.giveUpOldest();
      r = { fam: this.fam, s: [this.s0, this.s1, this.s2, this.s3], d: [this.d0, this.d1, this.d2, this.d3], proto: -1, total: -1, parts: [], byOffset: [], bytes: 0, firstWire: 0, firstTs: NaN };
      this.reassembly.set(key, r);
    }
    if (offset === 0) {
      r.proto = proto;
      r.firstWire = wirelen;
      r.firstTs = this.ts;
    }
    const wire = ipEnd - q; // this fragment's payload length on the wire
    if (!more) r.total = offset + Math.max(0, wire);
    const have = Math.max(0, Math.min(capEnd, ipEnd) - q);
    if (have > 0 && offset + have <= MAX_DATAGRAM && r.parts.length < MAX_PARTS) {
      const part = { offset, data: Uint8Array.prototype.slice.call(b, q, q + have) };
      r.parts.push(part);
      let k = r.byOffset.length;
      while (k > 0 && r.byOffset[k - 1].offset > offset) k--;
      r.byOffset.splice(k, 0, part);
      r.bytes += have;
      this.reassemblyBytes += have;
    }
    if (r.total >= 0 && r.proto >= 0 && coveredPrefix(r.byOffset) >= r.total) {
      this.reassembly.delete(key);
      this.reassemblyBytes -= r.bytes;
      this.stats.reassembled++;
      const data = assemble(r.parts, r.total);
      this.l4(r.proto, data, 0, data.length, data.length, wirelen);
      return;
    }
    while (this.reassemblyBytes > REASSEMBLY_BYTES && this.reassembly.size) this.giveUpOldest();
  }

  private giveUpOldest(): void {
    const [key, r] = this.reassembly.entries().next().value as [string, Reassembly];
    this.reassembly.delete(key);
    this.giveUp(r);
  }

  /** An incomplete datagram: its leading bytes (the first fragment's, when it came) decoded on their own. */
  private giveUp(r: Reassembly): void {
    this.reassemblyBytes -= r.bytes;
    if (r.proto < 0) return;
    const end = coveredPrefix(r.byOffset);
    if (end === 0) return;
    const data = assemble(r.parts, end);
    // This runs while another packet is being decoded (a full table gives up its oldest datagram for a new
    // one): that packet's addresses and time are put back after.
    const { fam, s0, s1, s2, s3, d0, d1, d2, d3, ts } = this;
    this.fam = r.fam;
    [this.s0, this.s1, this.s2, this.s3] = r.s;
    [this.d0, this.d1, this.d2, this.d3] = r.d;
    this.ts = r.firstTs;
    // Counted as the first fragment alone, with its frame's length and time.
    this.l4(r.proto, data, 0, data.length, Math.max(data.length, r.total), r.firstWire);
    Object.assign(this, { fam, s0, s1, s2, s3, d0, d1, d2, d3, ts });
  }

  /** Canonical order and table update; returns entry index * 2 + direction. */
  private touch(proto: number, sport: number, dport: number, wirelen: number): number {
    const ts = this.ts;
    let dir = 0;
    if (this.fam === 4) {
      // Compared as unsigned: the canonical side order is by address value.
      dir = this.s0 >>> 0 > this.d0 >>> 0 || (this.s0 === this.d0 && sport > dport) ? 1 : 0;
    } else {
      const c =
        this.s0 !== this.d0
          ? (this.s0 >>> 0) - (this.d0 >>> 0)
          : this.s1 !== this.d1
            ? (this.s1 >>> 0) - (this.d1 >>> 0)
            : this.s2 !== this.d2
              ? (this.s2 >>> 0) - (this.d2 >>> 0)
              : (this.s3 >>> 0) - (this.d3 >>> 0);
      dir = c > 0 || (c === 0 && sport > dport) ? 1 : 0;
    }
    const w0 = this.fam | (proto << 8);
    const t = this.conns;
    const before = t.size;
    const e =
      dir === 0
        ? t.lookup(w0, (sport << 16) | dport, this.s0, this.s1, this.s2, this.s3, this.d0, this.d1, this.d2, this.d3)
        : t.lookup(w0, (dport << 16) | sport, this.d0, this.d1, this.d2, this.d3, this.s0, this.s1, this.s2, this.s3);
    const i = 2 * e + dir;
    if (t.size !== before) {
      t.fileOf[e] = this.fileIndex;
      t.first[e] = ts;
      t.last[e] = ts;
      t.firstDir[e] = dir;
    } else {
      if (ts < t.first[e]) t.first[e] = ts;
      if (ts > t.last[e]) t.last[e] = ts;
    }
    t.pkts[i]++;
    t.bytes[i] += wirelen;
    return i;
  }

  private l4(proto: number, b: Uint8Array, p: number, capEnd: number, ipEnd: number, wirelen: number): void {
    const st = this.stats;
    if (proto === PROTO_TCP) {
      st.tcp++;
      if (p + 4 > capEnd) return this.issue(ISSUE_TRUNCATED_L4);
      const sport = (b[p] << 8) | b[p + 1];
      const dport = (b[p + 2] << 8) | b[p + 3];
      const i = this.touch(PROTO_TCP, sport, dport, wirelen);
      if (p + 14 > capEnd) return this.issue(ISSUE_TRUNCATED_L4);
      const flags = b[p + 13];
      const t = this.conns;
      const e = i >> 1;
      const dir = i & 1;
      const seq = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
      if (flags & 0x02) {
        if (!(flags & 0x10)) t.syn[e] = dir === 0 ? 1 : 2;
        else if (t.syn[e] === 0) t.syn[e] = dir === 0 ? 2 : 1;
        t.nextSeq[i] = (seq + 1) >>> 0;
        t.seqOk[i] = 1;
        t.hdrLen[i] = 0;
        t.skip[i] = 0;
        if (this.held.size) this.dropHeld(i);
        return;
      }
      if (p + 20 > capEnd) return;
      const doff = (b[p + 12] >> 4) << 2;
      if (doff < 20) return this.issue(ISSUE_TRUNCATED_L4);
      const ps = p + doff;
      const len = ipEnd - ps; // payload on the wire
      if (len <= 0) return;
      let have = capEnd - ps; // captured payload bytes
      if (have > len) have = len;
      this.tcpSegment(b, ps, have, len, seq, e, i, sport, dport, true);
      return;
    }
    if (proto === PROTO_UDP) {
      st.udp++;
      if (p + 8 > capEnd) {
        if (p + 4 > capEnd) return this.issue(ISSUE_TRUNCATED_L4);
        this.issue(ISSUE_TRUNCATED_L4);
      }
      const sport = (b[p] << 8) | b[p + 1];
      const dport = (b[p + 2] << 8) | b[p + 3];
      const i = this.touch(PROTO_UDP, sport, dport, wirelen);
      const e = i >> 1;
      const t = this.conns;
      const have = capEnd - (p + 8);
      if (have <= 0) return;
      let app = t.app[e];
      if (app === APP_PENDING) {
        app = classifyUdp(b, p + 8, have, sport, dport);
        t.app[e] = app;
      }
      if (app === APP_DNP3) this.appCode(app, b, p + 8, have, e, i & 1);
      return;
    }
    if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      st.icmp++;
      if (p + 1 > capEnd) return this.issue(ISSUE_TRUNCATED_L4);
      const type = b[p];
      const i = this.touch(proto, 0, 0, wirelen);
      const e = i >> 1;
      const dir = i & 1;
      const t = this.conns;
      t.app[e] = APP_ICMP;
      if (type === 8 || type === 128) {
        if (t.syn[e] === 0) t.syn[e] = dir === 0 ? 1 : 2;
      } else if (type === 0 || type === 129) {
        if (t.syn[e] === 0) t.syn[e] = dir === 0 ? 2 : 1;
      }
      return;
    }
    if ((proto === 4 || proto === 41) && this.depth < 2) {
      // IP-in-IP / IPv6-in-IP: the inner datagram is the conversation (as tshark's conversation tables see it).
      this.depth++;
      if (proto === 4) this.ipv4(b, p, capEnd, wirelen);
      else this.ipv6(b, p, capEnd, wirelen);
      this.depth--;
      return;
    }
    st.otherIp++;
    this.touch(proto, 0, 0, wirelen);
  }

  /**
   * One TCP segment's payload in sequence order: retransmitted bytes are dropped; a segment that arrives
   * ahead of a gap in a conversation whose codes are read from the stream (Modbus, DNP3, S7comm, EtherNet/IP,
   * OPC UA), or not classified yet (classification reads the first payload), is held (a copy, at most HELD_PER_DIRECTION per direction and HELD_BYTES in all) until the missing
   * bytes arrive, then processed in order: out-of-order segments, common in SPAN captures, do not break the
   * framing or hide a write. A gap that is never filled (a lost segment) is given up when the direction holds
   * too much or at the end of the capture (`finish`): framing restarts at the next held segment.
   */
  private tcpSegment(b: Uint8Array, off: number, have: number, len: number, seq: number, e: number, i: number, sport: number, dport: number, mayHold: boolean): void {
    const t = this.conns;
    if (t.seqOk[i]) {
      const diff = (seq - t.nextSeq[i]) | 0;
      if (diff > 0 && mayHold && (STREAM_CODES[t.app[e]] || t.app[e] === APP_PENDING) && this.hold(b, off, have, len, seq, e, i, sport, dport)) return;
      if (diff < 0) {
        if (diff + len <= 0) return;
        off -= diff;
        have += diff;
        len += diff;
        t.nextSeq[i] = (t.nextSeq[i] + len) >>> 0;
      } else {
        if (diff > 0) {
          t.hdrLen[i] = 0;
          t.skip[i] = 0;
        }
        t.nextSeq[i] = (seq + len) >>> 0;
      }
    } else {
      t.seqOk[i] = 1;
      t.nextSeq[i] = (seq + len) >>> 0;
    }
    if (have > 0) this.tcpPayload(b, off, have, len, e, i, sport, dport);
    if (this.held.size && this.held.has(i)) this.drainHeld(i, e, sport, dport);
  }

  private tcpPayload(b: Uint8Array, off: number, have: number, len: number, e: number, i: number, sport: number, dport: number): void {
    const t = this.conns;
    let app = t.app[e];
    if (app === APP_PENDING) {
      app = classifyTcp(b, off, have, sport, dport);
      if (app === APP_PENDING && ++t.tries[e] >= 4) app = APP_UNKNOWN;
      t.app[e] = app;
    }
    if (app === APP_MODBUS) {
      this.modbus(b, off, have, e, i);
      if (have < len) {
        // Snapshot length cut the segment: restart framing at the next one.
        t.hdrLen[i] = 0;
        t.skip[i] = 0;
      }
    } else if (app !== APP_UNKNOWN) {
      this.appCode(app, b, off, have, e, i & 1, i);
      if (have < len) t.skip[i] = 0; // snapshot length cut the segment: the next one is taken to start a PDU
    }
  }

  /** Segments held ahead of a gap, per direction index. */
  private readonly held = new Map<number, HeldSegment[]>();
  private heldBytes = 0;

  private hold(b: Uint8Array, off: number, have: number, len: number, seq: number, e: number, i: number, sport: number, dport: number): boolean {
    let list = this.held.get(i);
    if ((list && list.length >= HELD_PER_DIRECTION) || this.heldBytes + have > HELD_BYTES) {
      // Too much waiting behind this gap: take it as lost and go on from what is held.
      if (list) this.releaseHeld(i);
      return false;
    }
    if (!list) this.held.set(i, (list = []));
    // A copy: `b` is the reader's buffer, refilled with the next block (Buffer#slice would only be a view).
    list.push({ seq, len, data: Uint8Array.prototype.slice.call(b, off, off + Math.max(0, have)), sport, dport });
    this.heldBytes += Math.max(0, have);
    this.stats.tcpReordered++;
    return true;
  }

  /** Processes the held segments that the stream has now reached, in sequence order. */
  private drainHeld(i: number, e: number, sport: number, dport: number): void {
    const list = this.held.get(i)!;
    const t = this.conns;
    for (;;) {
      let k = -1;
      for (let j = 0; j < list.length; j++) if (((list[j].seq - t.nextSeq[i]) | 0) <= 0 && (k < 0 || ((list[j].seq - list[k].seq) | 0) < 0)) k = j;
      if (k < 0) break;
      const h = list.splice(k, 1)[0];
      this.heldBytes -= h.data.length;
      this.tcpSegment(h.data, 0, h.data.length, h.len, h.seq, e, i, sport, dport, false);
      if (!this.held.has(i)) return;
    }
    if (list.length === 0) this.held.delete(i);
  }

  /** Gives up the gap in front of a direction's held segments: they are processed in sequence order. */
  private releaseHeld(i: number): void {
    const list = this.held.get(i);
    if (!list) return;
    this.held.delete(i);
    list.sort((a, b) => (a.seq - b.seq) | 0);
    for (const h of list) {
      this.heldBytes -= h.data.length;
      this.tcpSegment(h.data, 0, h.data.length, h.len, h.seq, i >> 1, i, h.sport, h.dport, false);
    }
  }

  private dropHeld(i: number): void {
    const list = this.held.get(i);
    if (!list) return;
    for (const h of list) this.heldBytes -= h.data.length;
    this.held.delete(i);
  }

  /** End of the input: segments still waiting for a gap that never filled are processed. */
  finish(): void {
    for (const r of [...this.reassembly.values()]) this.giveUp(r);
    this.reassembly.clear();
    for (const i of [...this.held.keys()]) this.releaseHeld(i);
  }

  /** Bytes (at most n) at the start of a segment that finish a PDU begun earlier in direction i; consumed. */
  private takeSkip(i: number, n: number): number {
    const sk = this.conns.skip[i];
    if (sk <= 0) return 0;
    const k = sk < n ? sk : n;
    this.conns.skip[i] = sk - k;
    return k;
  }

  /** Modbus/TCP framing per direction: several ADUs per segment, ADUs split across segments. */
  private modbus(b: Uint8Array, p: number, n: number, e: number, i: number): void {
    const t = this.conns;
    const hdr = t.hdr;
    const h = i << 3;
    while (n > 0) {
      const k = this.takeSkip(i, n);
      if (k > 0) {
        p += k;
        n -= k;
        continue;
      }
      let hl = t.hdrLen[i];
      while (hl < 8 && n > 0) {
        hdr[h + hl++] = b[p++];
        n--;
      }
      if (hl < 8) {
        t.hdrLen[i] = hl;
        return;
      }
      t.hdrLen[i] = 0;
      const l = (hdr[h + 4] << 8) | hdr[h + 5];
      if (hdr[h + 2] !== 0 || hdr[h + 3] !== 0 || l < 2 || l > MBAP_MAX_LENGTH) {
        // Lost framing: drop the rest of this segment; the next segment starts a fresh header.
        if (!t.broken[i]) {
          t.broken[i] = 1;
          this.issue(ISSUE_MODBUS_FRAMING);
        }
        return;
      }
      this.stats.modbusAdus++;
      this.codes.add(e, i & 1, hdr[h + 7], 1);
      t.skip[i] = l - 2;
    }
  }

  /**
   * Codes of every PDU in one TCP segment (or UDP datagram) of a DNP3, S7comm, EtherNet/IP or OPC UA
   * conversation: the PDUs are walked by their own length fields (DNP3 link length, TPKT length, encapsulation
   * length, UA chunk size), one code counted per PDU. The walk stops at the first bytes that are no PDU header
   * of the protocol and after the first PDU that does not end within the segment.
   *
   * PDUs split across segments: a PDU that starts in this segment and ends in a later one is counted here,
   * once, when the bytes that carry its code are in this segment (tshark counts it once too, when it
   * completes), and not at all otherwise (a PDU whose header itself is split is not counted). On a TCP stream
   * (`i` = the direction's index) the rest of such a PDU is remembered in the direction's `skip`, as Modbus
   * framing does, so the next segment steps over its tail and the PDUs after it are counted. A gap in the
   * sequence numbers or a segment cut by the snapshot length resets it (the next segment is taken to start a PDU).
   */
  private appCode(app: number, b: Uint8Array, p: number, n: number, e: number, dir: number, i = -1): void {
    const t = this.conns;
    if (i >= 0) {
      const k = this.takeSkip(i, n);
      p += k;
      n -= k;
    }
    const end = p + n;
    while (p < end) {
      const have = end - p;
      // Whole length of the PDU at p, at least its header's (10, 7, 24, 8): the walk always moves on.
      const l =
        app === APP_DNP3
          ? dnp3FrameLength(b, p, have)
          : app === APP_S7
            ? tpktLength(b, p, have)
            : app === APP_ENIP
              ? enipLength(b, p, have)
              : app === APP_OPCUA
                ? opcuaChunkSize(b, p, have)
                : -1;
      if (l < 0) return;
      const k = have < l ? have : l; // this PDU's bytes in the segment
      // DNP3: function code of user-data frames with FIR; S7: (ROSCTR << 8) | function (-1 for COTP CR/CC, stepped
      // over); ENIP: (command << 8) | CIP service; OPC UA: message type, and for OPN also its security.
      const c =
        app === APP_DNP3 ? dnp3FunctionCode(b, p, k) : app === APP_S7 ? s7PduCode(b, p, k) : app === APP_ENIP ? enipPduCode(b, p, k) : opcuaMessageType(b, p, k);
      if (c >= 0) this.codes.add(e, dir, c, 1);
      if (app === APP_OPCUA && c === 3) {
        const sec = opcuaSecurity(b, p, k);
        if (sec) this.codes.add(e, dir, sec, 1);
      }
      if (l > have && i >= 0) t.skip[i] = l - have;
      p += l;
    }
  }
}
