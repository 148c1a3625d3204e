/**
 * Result files the dashboard shows next to the model: the JSON that `verify`, `baseline` and `probe` print
 * with `--format json` (shapes in /work/shared/spec/CLI.md). The dashboard never computes them; it reads them.
 * Bad input is returned as a one-line message naming the file and line:column, never thrown as a raw error.
 */
import { readFileSync, statSync } from 'node:fs';

export interface VerifyFinding {
  kind: string;
  code?: string;
  message?: string;
  severity: string;
  from_zone: string | null;
  to_zone: string | null;
  conduit: string | null;
  example: { src: string; dst: string; protocol: string; src_port?: number; dst_port?: number } | null;
  space?: string;
  rule: { file: string; line: number; text: string } | null;
}

export interface VerifyResult {
  findings: VerifyFinding[];
  /** `permits` is false for "nothing" and for zone pairs no given configuration joins. */
  matrix: { from_zone: string; to_zone: string; permitted: string; permits: boolean }[];
  /** How much of each configuration was understood (verify's `configs`). */
  configs: { file: string; vendor: string; lines: number; parsed: number; ignored: number; unparsed: number }[];
}

/** Whether verify's description of a zone pair's permitted packets says anything passes. */
export function permitsSomething(text: string): boolean {
  const t = text.trim();
  return t !== '' && t !== 'nothing' && !t.startsWith('not joined');
}

export interface BaselineFlow {
  /** Optional fields the baseline adds beyond the contract, shown when present. */
  src_asset?: string | null;
  dst_asset?: string | null;
  evidence?: string;
  disallowed_function_codes?: number[];
  src: string;
  dst: string;
  transport: string;
  dst_port: number | null;
  protocol: string;
  src_zone: string | null;
  dst_zone: string | null;
  packets: number;
  bytes: number;
  first_seen: string;
  last_seen: string;
  function_codes: Record<string, number>;
  verdict: string;
  reasons: string[];
  conduit: string | null;
}

export interface BaselineResult {
  flows: BaselineFlow[];
  summary: Record<string, unknown>;
}

export interface ProbeResult {
  results: {
    check: string;
    from_zone: string | null;
    to_zone: string | null;
    target: string;
    expected: string;
    observed: string;
    status: string;
    detail: string;
    ms: number | null;
  }[];
  summary: Record<string, unknown>;
}

export type ResultKind = 'verify' | 'baseline' | 'probe';

export type Loaded<T> = { ok: true; value: T } | { ok: false; error: string };

/** Line and column (1-based) of a byte-free character offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/**
 * Offset of the first JSON syntax error in `text` (a small recursive-descent scan, run only after JSON.parse
 * failed: V8's messages carry a position only for some errors). -1 when the text is valid JSON.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const str = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') str();
    else {
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (e) {
    if (typeof e === 'number') return Math.min(e, text.length);
    throw e;
  }
  return -1;
}

/** JSON.parse with an error message that names the file and line:column. */
export function parseJsonFile(file: string, text: string): Loaded<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const found = jsonErrorOffset(text);
    const offset = found < 0 ? text.length : found;
    const pos = lineColumn(text, offset);
    const why = offset >= text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(text[offset])}`;
    return { ok: false, error: `${file}:${pos.line}:${pos.column}: not valid JSON (${why})` };
  }
}

const KEY: Record<ResultKind, string> = { verify: 'findings', baseline: 'flows', probe: 'results' };

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : v === undefined || v === null ? null : String(v));
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

const MAX_RESULT_BYTES = 400e6;

/** Loads one result file of the given kind; checks the envelope and normalizes every entry's field types. */
export function loadResultFile(kind: ResultKind, file: string, displayName = file): Loaded<VerifyResult | BaselineResult | ProbeResult> & { text?: string } {
  let text: string;
  try {
    // A JSON document is read whole; past a few hundred MB (a baseline of a million flows is ~1 GB) that
    // cannot work in one string: say what to do instead.
    const size = statSync(file).size;
    if (size > MAX_RESULT_BYTES) {
      const store = kind === 'baseline' ? ' (keep the flows in a store: `otzones baseline MODEL CAPTURES --store plant.duckdb`, then `--store plant.duckdb` here)' : '';
      return { ok: false, error: `${displayName}: ${Math.round(size / 1e6)} MB is more than the dashboard reads from one JSON file (${MAX_RESULT_BYTES / 1e6} MB)${store}` };
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { ok: false, error: `${displayName}: cannot read --${kind} file: ${why}` };
  }
  const parsed = parseJsonFile(displayName, text);
  if (!parsed.ok) return parsed;
  return { ...normalizeResult(kind, parsed.value, displayName), text };
}

export function normalizeResult(kind: ResultKind, doc: unknown, displayName: string): Loaded<VerifyResult | BaselineResult | ProbeResult> {
  const o = obj(doc);
  const list = o[KEY[kind]];
  if (typeof o.command === 'string' && o.command !== kind) {
    return { ok: false, error: `${displayName}: expected the output of \`otzones ${kind} --format json\`, got "command": "${o.command}"` };
  }
  if (!Array.isArray(list)) {
    return { ok: false, error: `${displayName}: expected the output of \`otzones ${kind} --format json\` (an object with a "${KEY[kind]}" list)` };
  }
  if (kind === 'verify') {
    const findings: VerifyFinding[] = list.map((x) => {
      const f = obj(x);
      const ex = f.example ? obj(f.example) : null;
      const rule = f.rule ? obj(f.rule) : null;
      return {
        kind: str(f.kind),
        ...(f.code !== undefined ? { code: str(f.code) } : {}),
        ...(f.message !== undefined ? { message: str(f.message) } : {}),
        severity: str(f.severity),
        from_zone: strOrNull(f.from_zone),
        to_zone: strOrNull(f.to_zone),
        conduit: strOrNull(f.conduit),
        example: ex
          ? { src: str(ex.src), dst: str(ex.dst), protocol: str(ex.protocol), src_port: numOrNull(ex.src_port) ?? undefined, dst_port: numOrNull(ex.dst_port) ?? undefined }
          : null,
        space: f.space === undefined ? undefined : str(f.space),
        rule: rule ? { file: str(rule.file), line: num(rule.line), text: str(rule.text) } : null,
      };
    });
    const matrix = (Array.isArray(o.matrix) ? o.matrix : []).map((x) => {
      const m = obj(x);
      return { from_zone: str(m.from_zone), to_zone: str(m.to_zone), permitted: str(m.permitted), permits: permitsSomething(str(m.permitted)) };
    });
    const configs = (Array.isArray(o.configs) ? o.configs : []).map((x) => {
      const c = obj(x);
      return { file: str(c.file), vendor: str(c.vendor), lines: num(c.lines), parsed: num(c.parsed), ignored: num(c.ignored), unparsed: num(c.unparsed) };
    });
    return { ok: true, value: { findings, matrix, configs } };
  }
  if (kind === 'baseline') {
    const flows: BaselineFlow[] = list.map((x) => {
      const f = obj(x);
      const fc: Record<string, number> = {};
      for (const [k, v] of Object.entries(obj(f.function_codes))) fc[k] = num(v);
      return {
        ...(f.src_asset !== undefined ? { src_asset: strOrNull(f.src_asset) } : {}),
        ...(f.dst_asset !== undefined ? { dst_asset: strOrNull(f.dst_asset) } : {}),
        ...(f.evidence !== undefined ? { evidence: str(f.evidence) } : {}),
        ...(Array.isArray(f.disallowed_function_codes) ? { disallowed_function_codes: f.disallowed_function_codes.map(num) } : {}),
        src: str(f.src),
        dst: str(f.dst),
        transport: str(f.transport),
        dst_port: numOrNull(f.dst_port),
        protocol: str(f.protocol),
        src_zone: strOrNull(f.src_zone),
        dst_zone: strOrNull(f.dst_zone),
        packets: num(f.packets),
        bytes: num(f.bytes),
        first_seen: str(f.first_seen),
        last_seen: str(f.last_seen),
        function_codes: fc,
        verdict: str(f.verdict),
        reasons: Array.isArray(f.reasons) ? f.reasons.map(str) : [],
        conduit: strOrNull(f.conduit),
      };
    });
    return { ok: true, value: { flows, summary: obj(o.summary) } };
  }
  const results = list.map((x) => {
    const r = obj(x);
    return {
      check: str(r.check),
      from_zone: strOrNull(r.from_zone),
      to_zone: strOrNull(r.to_zone),
      target: str(r.target),
      expected: str(r.expected),
      observed: str(r.observed),
      status: str(r.status),
      detail: str(r.detail),
      ms: numOrNull(r.ms),
    };
  });
  return { ok: true, value: { results, summary: obj(o.summary) } };
}
