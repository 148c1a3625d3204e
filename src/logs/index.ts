/**
 * Text inputs for the baseline: Zeek logs and firewall syslog, told apart by content (not by file name).
 * Each parser returns Observations; skipped lines are counted per reason with the first line number.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { defineCode } from '../diagnostics/codes.ts';
import type { Observation } from '../capture/observation.ts';
import { newParse, skip, type LogParse } from './common.ts';
import { parseZeek } from './zeek.ts';
import { AsaParser, isAsaLine } from './asa.ts';
import { fortigateLine, isFortigateLine } from './fortigate.ts';
import { isNetfilterLine, netfilterLine } from './netfilter.ts';

export const INPUT_KIND_UNKNOWN = defineCode({ code: 'ZC860', name: 'input-kind-unknown', severity: 'error', title: 'An input is not a capture, a Zeek log or a firewall syslog the baseline reads' });
export const LOG_LINES_SKIPPED = defineCode({ code: 'ZC861', name: 'log-lines-skipped', severity: 'info', title: 'Log lines that carry no connection facts the baseline reads (counted)' });
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

export function parseSyslog(text: string, file: string): LogParse {
  const p = newParse();
  const asa = new AsaParser(p);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (!line.trim()) continue;
    if (asa.line(file, i + 1, line)) continue;
    if (isFortigateLine(line)) fortigateLine(p, file, i + 1, line);
    else if (/\blogid="?\d+/.test(line) && /\btype="?(event|utm)/.test(line)) skip(p, 'FortiGate event records (no traffic)', i + 1);
    else if (isNetfilterLine(line)) netfilterLine(p, file, i + 1, line);
    else skip(p, 'lines of no known firewall format', i + 1);
  }
  return p;
}

export interface LogFileResult {
  kind: LogKind | undefined;
  observations: Observation[];
  diagnostics: Diagnostic[];
  records: number;
}

/** Reads a Zeek log or syslog file (plain or .gz). */
export function readLogFile(path: string, displayName = path, kindHint?: LogKind): LogFileResult {
  let buf = readFileSync(path);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const text = buf.toString('utf8');
  const kind = kindHint ?? detectLogKind(text.slice(0, 64 * 1024));
  const diagnostics: Diagnostic[] = [];
  if (!kind) {
    const first = text.split('\n').find((l) => l.trim()) ?? '';
    diagnostics.push({
      code: INPUT_KIND_UNKNOWN.code,
      severity: 'error',
      message: `${displayName}: line 1: not a pcap/pcapng capture, a Zeek log (#fields header or JSON lines) or firewall syslog (ASA %ASA-, FortiGate key=value, netfilter SRC=/DST=); it starts with ${JSON.stringify(first.slice(0, 60))}`,
      file: displayName,
      line: 1,
      column: 1,
      ids: [],
    });
    return { kind, observations: [], diagnostics, records: 0 };
  }
  const p = kind === 'zeek' ? parseZeek(text, displayName) : parseSyslog(text, displayName);
  for (const [reason, s] of [...p.skipped].sort((a, b) => a[1].firstLine - b[1].firstLine)) {
    diagnostics.push({ code: LOG_LINES_SKIPPED.code, severity: 'info', message: `${displayName}: ${s.count} line(s) skipped: ${reason} (first at line ${s.firstLine})`, file: displayName, line: s.firstLine, ids: [] });
  }
  if (p.used === 0) {
    diagnostics.push({ code: LOG_NOTHING_READ.code, severity: 'warning', message: `${displayName}: no ${kind} record could be used`, file: displayName, line: 1, ids: [] });
  }
  return { kind, observations: p.observations, diagnostics, records: p.used };
}
