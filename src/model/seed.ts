/** Interpretation of the seed dialect's free text: asset strings, direction strings, SL and Purdue values. */
import { FRS, type AssetRole, type PurdueRange, type SLVector } from './types.ts';
import { MODBUS_READ_ONLY } from './protocols.ts';
import { ID_PATTERN } from './schema.ts';

export function slVector(value: unknown): SLVector | undefined {
  if (typeof value === 'number') return uniformSL(value);
  if (typeof value === 'string') {
    const m = /([0-4])/.exec(value);
    return m ? uniformSL(Number(m[1])) : undefined;
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, number>;
    return Object.fromEntries(FRS.map((fr) => [fr, o[fr] ?? 0])) as SLVector;
  }
  return undefined;
}

export function uniformSL(n: number): SLVector {
  return Object.fromEntries(FRS.map((fr) => [fr, n])) as SLVector;
}

/** The scalar SL of a vector: its highest FR level (what "SL-T 3" means for a zone). */
export function slLevel(v: SLVector): number {
  return Math.max(...FRS.map((fr) => v[fr]));
}

export function purdueRange(value: unknown): PurdueRange | undefined {
  if (typeof value === 'number') return { min: value, max: value };
  if (typeof value === 'string') {
    const parts = value.split('-').map((s) => Number(s.trim()));
    if (parts.some((n) => Number.isNaN(n))) return undefined;
    return { min: Math.min(...parts), max: Math.max(...parts) };
  }
  return undefined;
}

const ROLE_WORDS: [RegExp, AssetRole][] = [
  [/\bengineering workstation\b|\bews\b/i, 'ews'],
  [/\b(safety (instrumented|controller|plc)|sis\b|triconex|safety manager|hima)/i, 'sis'],
  [/\bdata diode\b|\bdiode\b/i, 'diode'],
  [/\bjump[ -]?(server|host|box)\b/i, 'jump-server'],
  [/\bpatch|wsus\b/i, 'patch-server'],
  [/\bhistorian\b|\bpi[- ]to[- ]pi\b|\bosisoft\b/i, 'historian'],
  [/\bopc[ -]?ua server\b|\bopc server\b/i, 'opc-server'],
  [/\bmes\b/i, 'mes'],
  [/\balarm\b/i, 'alarm-server'],
  [/\bhmi/i, 'hmi'],
  [/\bscada\b/i, 'scada-server'],
  [/\bplc|controllogix|logix|simatic s7|controller\b/i, 'plc'],
  [/\brtu\b/i, 'rtu'],
  [/\bied\b|\bprotection relay\b/i, 'ied'],
  [/\bfirewall\b/i, 'firewall'],
  [/\bswitch\b/i, 'switch'],
  [/\bworkstation\b|\bcorporate\b/i, 'workstation'],
  [/\bserver\b/i, 'server'],
];

export interface InterpretedAsset {
  id?: string;
  role?: AssetRole;
  count: number;
  inferred: string[];
}

/** "Allen-Bradley ControlLogix PLCs (PLC-01 through PLC-12)" → role plc, 12 devices. */
export function interpretAssetText(text: string): InterpretedAsset {
  const inferred: string[] = [];
  let role: AssetRole | undefined;
  for (const [re, r] of ROLE_WORDS) {
    if (re.test(text)) {
      role = r;
      inferred.push(`role "${r}"`);
      break;
    }
  }
  let count = 1;
  let id: string | undefined;
  const paren = /\(([^()]*)\)\s*$/.exec(text);
  if (paren) {
    const inner = paren[1].trim();
    const range = /^([A-Za-z][A-Za-z-]*?)-?(\d+)\s+(?:through|to|-|–)\s+\1-?(\d+)$/i.exec(inner);
    if (range) {
      const a = Number(range[2]);
      const b = Number(range[3]);
      if (b >= a && b - a < 100000) {
        count = b - a + 1;
        inferred.push(`${count} devices (${inner})`);
      }
    } else if (ID_PATTERN.test(inner)) {
      id = inner;
      inferred.push(`id "${inner}"`);
    }
  }
  return { id, role, count, inferred };
}

export interface InterpretedDirection {
  from: string;
  to: string;
  bidirectional: boolean;
  functionCodes?: number[];
  oneWay: boolean;
  readOnly: boolean;
  /** Qualifiers that are kept as notes rather than constraints. */
  notes: string[];
  inferred: string[];
}

/**
 * "Z3 -> Z2 (read only, FC 3/4 only)": Z3 initiates to Z2, Modbus function codes 3 and 4.
 * Returns null when the text has no arrow between two names.
 */
export function interpretDirection(text: string, protocol: string): InterpretedDirection | null {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(<->|<=>|↔|->|=>|→|<-|<=|←)\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\((.*)\))?\s*$/.exec(text);
  if (!m) return null;
  let [, a, arrow, b] = m;
  const qual = (m[4] ?? '').trim();
  const bidirectional = ['<->', '<=>', '↔'].includes(arrow);
  if (['<-', '<=', '←'].includes(arrow)) [a, b] = [b, a];
  const inferred: string[] = [`${a} initiates to ${b}${bidirectional ? ' (and back)' : ''}`];
  const notes: string[] = [];
  let functionCodes: number[] | undefined;
  let oneWay = false;
  let readOnly = false;
  // A comma followed by a digit continues a function-code list ("FC 1-4, 23").
  for (const partRaw of qual ? qual.split(/;|,(?!\s*\d)/) : []) {
    const part = partRaw.trim();
    if (!part) continue;
    const fc = /\bFCs?\s*((?:\d+\s*(?:[/,&+]|and|-)?\s*)+)/i.exec(part);
    if (fc) {
      const codes = new Set<number>();
      for (const piece of fc[1].split(/[/,&+]|and/)) {
        const r = /(\d+)\s*-\s*(\d+)/.exec(piece);
        if (r) for (let i = Number(r[1]); i <= Number(r[2]) && i <= 255; i++) codes.add(i);
        else if (/\d+/.test(piece)) codes.add(Number(/\d+/.exec(piece)![0]));
      }
      functionCodes = [...codes].filter((c) => c <= 255).sort((x, y) => x - y);
      inferred.push(`function codes ${functionCodes.join(', ')}`);
    } else if (/\bread[- ]?only\b/i.test(part)) {
      readOnly = true;
      if (protocol === 'modbus') inferred.push('read only (Modbus function codes 1-4)');
      else notes.push(part);
    } else if (/\bunidirectional\b|\bone[- ]way\b|\bdata diode\b/i.test(part)) {
      oneWay = true;
      inferred.push('one-way (no application data back)');
    } else {
      notes.push(part);
    }
  }
  if (!functionCodes && readOnly && protocol === 'modbus') functionCodes = [...MODBUS_READ_ONLY];
  return { from: a, to: b, bidirectional, functionCodes, oneWay, readOnly, notes, inferred };
}

/** Seed direction names are zone-id prefixes: "Z3" means "Z3-OPS" when exactly one id starts with "Z3-". */
export function resolveIdPrefix(name: string, ids: readonly string[]): { id?: string; ambiguous?: string[] } {
  if (ids.includes(name)) return { id: name };
  const matches = ids.filter((id) => id.startsWith(`${name}-`) || id.startsWith(`${name}_`) || id.startsWith(`${name}.`));
  if (matches.length === 1) return { id: matches[0] };
  if (matches.length > 1) return { ambiguous: matches };
  return {};
}
