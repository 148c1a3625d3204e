/**
 * Text inputs for the baseline: Zeek logs and firewall syslog, told apart by content (not by file name).
 * Each parser returns Observations; skipped lines are counted per reason with the first line number.
 */
import { closeSync, createReadStream, openSync, readFileSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { defineCode } from '../diagnostics/codes.ts';
import type { Observation } from '../capture/observation.ts';
import { newParse, skip, type LogParse } from './common.ts';
import { parseZeek, ZeekLines } from './zeek.ts';
import { AsaParser, isAsaLine } from './asa.ts';
import { fortigateLine, isFortigateLine } from './fortigate.ts';
import { isNetfilterLine, netfilterLine } from './netfilter.ts';

export const INPUT_KIND_UNKNOWN = defineCode({ code: 'ZC860', name: 'input-kind-unknown', severity: 'error', title: 'An input is not a capture, a Zeek log or a firewall syslog the baseline reads' });
export const LOG_LINES_SKIPPED = defineCode({ code: 'ZC861', name: 'log-lines-skipped', severity: 'info', title: 'Log lines that carry no connection facts the baseline reads (counted)' });
export const LOG_UNREADABLE = defineCode({ code: 'ZC863', name: 'log-unreadable', severity: 'error', title: 'A log file cannot be read to its end (read error or corrupt compression)' });
export const LOG_NOTHING_READ = defineCode({ code: 'ZC862', name: 'log-without-records', severity: 'warning', title: 'A log file in which no record could be used' });

export type LogKind = 'zeek' | 'syslog';

/** Text kind from the first lines; undefined when neither. */
export function detectLogKind(head: string): LogKind | undefined {
  const lines = head.split('\n').slice(0, 50);
  if (lines.some((l) => l.startsWith('#fields') || l.startsWith('#separator'))) return 'zeek';
  if (lines.some((l) => l.startsWith('{') && l.includes('"id.orig_h"'))) return 'zeek';
  if (lines.some((l) => isAsaLine(l) || isFortigateLine(l) || isNetfilterLine(l))) return 'syslog';
  return undefined;
}

/** Firewall syslog lines fed one at a time (ASA, FortiGate, netfilter, mixed in one file). */
export class SyslogLines {
  private readonly asa: AsaParser;
  constructor(
    private readonly p: LogParse,
    private readonly file: string,
  ) {
    this.asa = new AsaParser(p);
  }

  line(text: string, ln: number): void {
    const p = this.p;
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (!line.trim()) return;
    if (this.asa.line(this.file, ln, line)) return;
    if (isFortigateLine(line)) fortigateLine(p, this.file, ln, line);
    else if (/\blogid="?\d+/.test(line) && /\btype="?(event|utm)/.test(line)) skip(p, 'FortiGate event records (no traffic)', ln);
    else if (isNetfilterLine(line)) netfilterLine(p, this.file, ln, line);
    else skip(p, 'lines of no known firewall format', ln);
  }
}

export function parseSyslog(text: string, file: string): LogParse {
  const p = newParse();
  const s = new SyslogLines(p, file);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) s.line(lines[i], i + 1);
  return p;
}

export interface LogFileResult {
  kind: LogKind | undefined;
  observations: Observation[];
  diagnostics: Diagnostic[];
  records: number;
}

/** Reads a Zeek log or syslog file (plain or .gz) whole; `streamLogFile` is the bounded-memory reader. */
export function readLogFile(path: string, displayName = path, kindHint?: LogKind): LogFileResult {
  let buf = readFileSync(path);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const text = buf.toString('utf8');
  const kind = kindHint ?? detectLogKind(text.slice(0, 64 * 1024));
  if (!kind) return { kind, observations: [], diagnostics: [unknownKind(displayName, text)], records: 0 };
  const p = kind === 'zeek' ? parseZeek(text, displayName) : parseSyslog(text, displayName);
  return { kind, observations: p.observations, diagnostics: parseDiagnostics(p, displayName, kind), records: p.used };
}

/**
 * Reads a Zeek log or syslog file (plain or .gz) line by line in multi-MiB pieces, handing each record's
 * observation to `sink` as it is read: memory stays bounded for logs of any size (two weeks of a firewall's
 * syslog are gigabytes, more than one string can hold). Decompression errors become a diagnostic naming the
 * byte offset; what was read before them is kept.
 */
export async function streamLogFile(path: string, displayName: string, kindHint: LogKind | undefined, sink: (o: Observation) => void): Promise<Omit<LogFileResult, 'observations'>> {
  const head = fileStart(path);
  const kind = kindHint ?? detectLogKind(head);
  if (!kind) return { kind, diagnostics: [unknownKind(displayName, head)], records: 0 };
  const p = newParse();
  const feed = kind === 'zeek' ? new ZeekLines(p, displayName) : new SyslogLines(p, displayName);
  const diagnostics: Diagnostic[] = [];
  let carry = '';
  let ln = 0;
  let overlong = false; // inside a line longer than MAX_LINE: dropped up to its end
  const drain = () => {
    for (const o of p.observations) sink(o);
    p.observations.length = 0;
  };
  let consumed = 0;
  try {
    for await (const text of textPieces(path, (n) => (consumed = n))) {
      const parts = (carry + text).split('\n');
      carry = parts.pop() ?? '';
      for (let k = 0; k < parts.length; k++) {
        ln++;
        if (overlong) overlong = false; // the end of an overlong line, already counted
        else if (parts[k].length > MAX_LINE) skip(p, OVERLONG, ln);
        else feed.line(parts[k], ln);
      }
      if (carry.length > MAX_LINE) {
        if (!overlong) skip(p, OVERLONG, ln + 1);
        overlong = true;
        carry = '';
      }
      drain();
    }
  } catch (e) {
    diagnostics.push({
      code: LOG_UNREADABLE.code,
      severity: 'error',
      message: `${displayName}: byte offset ${consumed}: ${(e as Error).message} (the ${ln} line(s) before it were read)`,
      file: displayName,
      offset: consumed,
      ids: [],
    });
  }
  if (carry && !overlong) feed.line(carry, ++ln);
  drain();
  return { kind, diagnostics: [...diagnostics, ...parseDiagnostics(p, displayName, kind)], records: p.used };
}

const MAX_LINE = 1 << 20;
const OVERLONG = `lines longer than ${MAX_LINE / (1 << 20)} MiB (not a log record)`;

/** Decoded text of a file in pieces (gzip detected by its magic); `at` gets the compressed bytes read so far. */
async function* textPieces(path: string, at: (bytes: number) => void): AsyncGenerator<string> {
  const raw = createReadStream(path, { highWaterMark: 4 << 20 });
  let read = 0;
  raw.on('data', (c) => at((read += c.length)));
  const gz = fileStart(path, 2);
  const stream = gz.length === 2 && gz.charCodeAt(0) === 0x1f && gz.charCodeAt(1) === 0x8b ? raw.pipe(createGunzip()) : raw;
  if (stream !== raw) raw.on('error', (e) => stream.destroy(e));
  const dec = new StringDecoder('utf8');
  for await (const chunk of stream as AsyncIterable<Buffer>) yield dec.write(chunk);
  yield dec.end();
}

/** The first bytes of a file as latin1-safe text (kind detection, gzip magic). */
function fileStart(path: string, n = 64 * 1024): string {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    const k = readSync(fd, b, 0, n, 0);
    let head = b.subarray(0, k);
    if (n > 2 && k >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      try {
        head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      } catch {
        return '';
      }
    }
    return n === 2 ? head.toString('latin1') : head.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function unknownKind(displayName: string, text: string): Diagnostic {
  const first = text.split('\n').find((l) => l.trim()) ?? '';
  return {
    code: INPUT_KIND_UNKNOWN.code,
    severity: 'error',
    message: `${displayName}: line 1: not a pcap/pcapng capture, a Zeek log (#fields header or JSON lines) or firewall syslog (ASA %ASA-, FortiGate key=value, netfilter SRC=/DST=); it starts with ${JSON.stringify(first.slice(0, 60))}`,
    file: displayName,
    line: 1,
    column: 1,
    ids: [],
  };
}

function parseDiagnostics(p: LogParse, displayName: string, kind: LogKind): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [reason, s] of [...p.skipped].sort((a, b) => a[1].firstLine - b[1].firstLine)) {
    diagnostics.push({ code: LOG_LINES_SKIPPED.code, severity: 'info', message: `${displayName}: ${s.count} line(s) skipped: ${reason} (first at line ${s.firstLine})`, file: displayName, line: s.firstLine, ids: [] });
  }
  if (p.used === 0) {
    diagnostics.push({ code: LOG_NOTHING_READ.code, severity: 'warning', message: `${displayName}: no ${kind} record could be used`, file: displayName, line: 1, ids: [] });
  }
  return diagnostics;
}
