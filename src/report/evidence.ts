/**
 * The results a report may attach: the JSON that `otzones verify|baseline|probe --format json` print
 * (shapes: ../shared/spec/CLI.md). Parsed and checked here; a bad file is an EvidenceError naming the
 * file and the line:column (JSON syntax) or the key (shape) that is wrong.
 */
import * as z from 'zod';

export class EvidenceError extends Error {}

const finding = z.looseObject({
  kind: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string().optional(),
  from_zone: z.string().nullable().optional(),
  to_zone: z.string().nullable().optional(),
  conduit: z.string().nullable().optional(),
  example: z.looseObject({ src: z.string(), dst: z.string(), protocol: z.string(), dst_port: z.number().optional() }).nullable().optional(),
  space: z.string().optional(),
  rule: z.looseObject({ file: z.string(), line: z.number(), text: z.string() }).nullable().optional(),
});
const verifySchema = z.looseObject({
  command: z.literal('verify'),
  findings: z.array(finding),
  matrix: z.array(z.looseObject({ from_zone: z.string(), to_zone: z.string(), permitted: z.string() })).default([]),
  configs: z.array(z.looseObject({ file: z.string() })).optional(),
});
const flow = z.looseObject({
  src: z.string(),
  dst: z.string(),
  transport: z.string(),
  dst_port: z.number().nullable().optional(),
  protocol: z.string(),
  src_zone: z.string().nullable(),
  dst_zone: z.string().nullable(),
  packets: z.number(),
  bytes: z.number().optional(),
  function_codes: z.record(z.string(), z.number()).optional(),
  verdict: z.enum(['intra-zone', 'allowed', 'violation']),
  reasons: z.array(z.string()).default([]),
  conduit: z.string().nullable().optional(),
});
const baselineSchema = z.looseObject({
  command: z.literal('baseline'),
  flows: z.array(flow),
  violations: z.array(flow).optional(),
  assets: z.array(z.looseObject({ ip: z.string(), zone: z.string().nullable(), observed_roles: z.array(z.string()).optional() })).default([]),
});
const probeResult = z.looseObject({
  check: z.string(),
  from_zone: z.string().nullable().optional(),
  to_zone: z.string().nullable().optional(),
  target: z.string().optional(),
  expected: z.string().optional(),
  observed: z.string().optional(),
  status: z.enum(['pass', 'fail', 'error']),
  detail: z.string().optional(),
  ms: z.number().optional(),
});
const probeSchema = z.looseObject({ command: z.literal('probe'), results: z.array(probeResult) });

export type VerifyEvidence = z.infer<typeof verifySchema> & { file: string };
export type BaselineEvidence = z.infer<typeof baselineSchema> & { file: string };
export type ProbeEvidence = z.infer<typeof probeSchema> & { file: string };
export type VerifyFinding = z.infer<typeof finding>;
export type BaselineFlow = z.infer<typeof flow>;
export type ProbeResult = z.infer<typeof probeResult>;

export interface Evidence {
  verify: VerifyEvidence[];
  baseline: BaselineEvidence[];
  probe?: ProbeEvidence;
}

/** line:column of a character offset. */
function lineCol(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return `${line}:${col}`;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const where = m ? lineCol(text, Number(m[1])) : text.trim() === '' ? '1:1' : lineCol(text, text.length);
    throw new EvidenceError(`${file}:${where}: not valid JSON (${msg.replace(/^.*?:\s*/, '').replace(/ in JSON at position \d+.*$/, '')})`);
  }
}

function check<T>(schema: z.ZodType<T>, file: string, text: string, command: string): T {
  const data = parseJson(file, text);
  if (data && typeof data === 'object' && 'command' in data && (data as { command: unknown }).command !== command) {
    throw new EvidenceError(`${file}: this is the output of \`otzones ${String((data as { command: unknown }).command)}\`, expected \`otzones ${command} --format json\``);
  }
  const r = schema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(top level)';
    throw new EvidenceError(`${file}: ${path}: ${issue.message} (expected the output of \`otzones ${command} --format json\`)`);
  }
  return r.data;
}

export function parseVerify(file: string, text: string): VerifyEvidence {
  return { ...check(verifySchema, file, text, 'verify'), file };
}
export function parseBaseline(file: string, text: string): BaselineEvidence {
  return { ...check(baselineSchema, file, text, 'baseline'), file };
}
export function parseProbe(file: string, text: string): ProbeEvidence {
  return { ...check(probeSchema, file, text, 'probe'), file };
}
