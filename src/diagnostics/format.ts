/** Renderers for diagnostics: a code frame for people, JSON for scripts, SARIF 2.1.0 for code-scanning UIs. */
import { codeInfo } from './codes.ts';
import { summarize, type Diagnostic } from './diagnostic.ts';

export const TOOL_NAME = 'otzones';
export const TOOL_VERSION = '0.1.0';

/** Source texts by file name, so the text format can show the offending line. */
export type Sources = ReadonlyMap<string, string>;

function location(d: Diagnostic): string {
  if (!d.file) return '';
  if (d.line !== undefined) return `${d.file}:${d.line}:${d.column ?? 1}: `;
  if (d.offset !== undefined) return `${d.file}@${d.offset}: `;
  return `${d.file}: `;
}

function codeFrame(src: string, d: Diagnostic): string[] {
  if (d.line === undefined) return [];
  const lines = src.split(/\r?\n/);
  const idx = d.line - 1;
  if (idx < 0 || idx >= lines.length) return [];
  const width = String(d.line).length;
  const text = lines[idx].replace(/\t/g, ' ');
  const col = Math.max(1, d.column ?? 1);
  let len = 1;
  if (d.endLine === d.line && d.endColumn !== undefined && d.endColumn > col) len = d.endColumn - col;
  len = Math.max(1, Math.min(len, text.length - col + 1));
  return [
    `  ${String(d.line).padStart(width)} | ${text}`,
    `  ${' '.repeat(width)} | ${' '.repeat(col - 1)}${'^'.repeat(len)}`,
  ];
}

export function formatText(diags: readonly Diagnostic[], sources: Sources = new Map()): string {
  const out: string[] = [];
  for (const d of diags) {
    const name = codeInfo(d.code)?.name;
    out.push(`${location(d)}${d.severity} ${d.code}${name ? ` (${name})` : ''}: ${d.message}`);
    const src = d.file ? sources.get(d.file) : undefined;
    if (src !== undefined) out.push(...codeFrame(src, d));
    for (const n of d.notes ?? []) out.push(`  = ${n}`);
  }
  const s = summarize(diags);
  out.push(`${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info(s)`);
  return out.join('\n') + '\n';
}

export function jsonEnvelope(command: string, body: Record<string, unknown>): Record<string, unknown> {
  return { tool: TOOL_NAME, version: TOOL_VERSION, command, ...body };
}

export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  const o: Record<string, unknown> = {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.file ?? null,
    line: d.line ?? null,
    column: d.column ?? null,
    path: d.path ?? null,
    ids: d.ids,
  };
  if (d.offset !== undefined) o.offset = d.offset;
  if (d.notes?.length) o.notes = d.notes;
  return o;
}

export function formatJson(command: string, diags: readonly Diagnostic[], extra: Record<string, unknown> = {}): string {
  return (
    JSON.stringify(
      jsonEnvelope(command, { ...extra, diagnostics: diags.map(diagnosticJson), summary: summarize(diags) }),
      null,
      2,
    ) + '\n'
  );
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export interface SarifResultInput {
  ruleId: string;
  ruleName?: string;
  level: 'error' | 'warning' | 'info';
  message: string;
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  offset?: number;
  properties?: Record<string, unknown>;
}

/** SARIF 2.1.0 log for any list of results; verify/baseline/probe reuse it with their own rule ids. */
export function sarifLog(results: readonly SarifResultInput[], ruleTitles: (id: string) => string | undefined): string {
  const names = new Map<string, string | undefined>();
  for (const r of results) if (!names.has(r.ruleId)) names.set(r.ruleId, r.ruleName);
  return [...sarifChunks(names, results, ruleTitles)].join('');
}

/**
 * The SARIF log in pieces, one result at a time, for result lists too long for one string (a million
 * violations): the text `JSON.stringify(log, null, 2)` would give. `rules` names every rule id the results
 * use (with the rule's name), known before the results are, as the log lists rules first.
 */
export function* sarifChunks(rules: ReadonlyMap<string, string | undefined>, results: Iterable<SarifResultInput>, ruleTitles: (id: string) => string | undefined): Generator<string> {
  const ruleIds = [...rules.keys()].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const driverRules = ruleIds.map((id) => {
    const name = rules.get(id);
    const title = ruleTitles(id);
    return {
      id,
      ...(name ? { name } : {}),
      ...(title ? { shortDescription: { text: title } } : {}),
      helpUri: `docs/rules.md#${id.toLowerCase()}`,
    };
  });
  const envelope = JSON.stringify(
    {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{ tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, informationUri: 'docs/rules.md', rules: driverRules } }, results: [] }],
    },
    null,
    2,
  );
  const EMPTY = '"results": []';
  const at = envelope.lastIndexOf(EMPTY);
  let first = true;
  for (const r of results) {
    // Each result at the depth of runs[0].results[i]: eight spaces.
    const text = JSON.stringify(sarifResult(r, ruleIndex.get(r.ruleId) ?? -1), null, 2).replace(/^/gm, '        ');
    yield first ? `${envelope.slice(0, at)}"results": [\n${text}` : `,\n${text}`;
    first = false;
  }
  yield first ? `${envelope}\n` : `\n      ]${envelope.slice(at + EMPTY.length)}\n`;
}

function sarifResult(r: SarifResultInput, ruleIndex: number) {
  const region: Record<string, number> = {};
  if (r.line !== undefined) {
    region.startLine = r.line;
    region.startColumn = r.column ?? 1;
    if (r.endLine !== undefined) region.endLine = r.endLine;
    if (r.endColumn !== undefined) region.endColumn = r.endColumn;
  } else if (r.offset !== undefined) {
    region.byteOffset = r.offset;
  }
  return {
    ruleId: r.ruleId,
    ruleIndex,
    level: SARIF_LEVEL[r.level],
    message: { text: r.message },
    ...(r.file
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: r.file },
                ...(Object.keys(region).length ? { region } : {}),
              },
            },
          ],
        }
      : {}),
    ...(r.properties ? { properties: r.properties } : {}),
  };
}

export function formatSarif(diags: readonly Diagnostic[]): string {
  return sarifLog(
    diags.map((d) => ({
      ruleId: d.code,
      ruleName: codeInfo(d.code)?.name,
      level: d.severity,
      message: d.message,
      file: d.file,
      line: d.line,
      column: d.column,
      endLine: d.endLine,
      endColumn: d.endColumn,
      offset: d.offset,
      properties: { ids: d.ids, ...(d.path ? { path: d.path } : {}) },
    })),
    (id) => codeInfo(id)?.title,
  );
}
