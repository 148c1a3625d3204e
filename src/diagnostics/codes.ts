/**
 * The registry of diagnostic codes. Codes are stable: never reuse or renumber one.
 * Ranges: ZC0xx input/YAML, ZC1xx schema and dialect, ZC2xx identity and references,
 * ZC3xx addressing, ZC4xx partitioning, ZC5xx flows, ZC6xx risk and security levels,
 * ZC7xx compile, ZC8xx config parsing and verification, ZC85x capture and log decoding,
 * ZC9xx internal errors.
 */
import type { Severity } from './diagnostic.ts';

export interface CodeInfo {
  code: string;
  name: string;
  severity: Severity;
  title: string;
}

const registry = new Map<string, CodeInfo>();

export function defineCode(info: CodeInfo): CodeInfo {
  const existing = registry.get(info.code);
  if (existing && existing.name !== info.name) {
    throw new Error(`diagnostic code ${info.code} registered twice (${existing.name}, ${info.name})`);
  }
  registry.set(info.code, info);
  return info;
}

export function codeInfo(code: string): CodeInfo | undefined {
  return registry.get(code);
}

export function allCodes(): CodeInfo[] {
  return [...registry.values()].sort((a, b) => a.code.localeCompare(b.code));
}

// Input and schema codes live here; rule codes are declared by each rule file.
export const INPUT_UNREADABLE = defineCode({ code: 'ZC001', name: 'unreadable-file', severity: 'error', title: 'The file cannot be read' });
export const YAML_SYNTAX = defineCode({ code: 'ZC002', name: 'yaml-syntax', severity: 'error', title: 'YAML syntax error' });
export const NOT_A_MODEL = defineCode({ code: 'ZC003', name: 'not-a-model', severity: 'error', title: 'The document is not an otzones model' });
export const YAML_WARNING = defineCode({ code: 'ZC004', name: 'yaml-warning', severity: 'warning', title: 'YAML construct that may not mean what it seems' });
export const SCHEMA_TYPE = defineCode({ code: 'ZC101', name: 'schema', severity: 'error', title: 'A value does not have the expected type or form' });
export const SCHEMA_REQUIRED = defineCode({ code: 'ZC102', name: 'missing-key', severity: 'error', title: 'A required key is missing' });
export const SCHEMA_UNKNOWN_KEY = defineCode({ code: 'ZC103', name: 'unknown-key', severity: 'warning', title: 'A key the model format does not define (ignored)' });
export const SEED_INFERRED = defineCode({ code: 'ZC110', name: 'inferred-from-text', severity: 'info', title: 'Meaning inferred from free text (seed dialect)' });
export const SEED_UNINTERPRETED = defineCode({ code: 'ZC111', name: 'uninterpreted-text', severity: 'warning', title: 'Free text that could not be interpreted' });
export const UNKNOWN_PROTOCOL = defineCode({ code: 'ZC112', name: 'unknown-protocol', severity: 'error', title: 'Protocol name not known and no transport/port given' });
export const INTERNAL = defineCode({ code: 'ZC900', name: 'internal-error', severity: 'error', title: 'Internal error (a bug in otzones)' });
