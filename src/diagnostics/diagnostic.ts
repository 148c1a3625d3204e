/** Diagnostics are data: every stage returns them, only the CLI renders them. */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable code, e.g. ZC203. Ranges per stage: see codes.ts. */
  code: string;
  severity: Severity;
  message: string;
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** Model path such as `zones[1].assets[0]`. */
  path?: string;
  /** Every zone, conduit or asset id the diagnostic is about. */
  ids: string[];
  /** Why it matters / what to do. */
  notes?: string[];
  /** Byte offset, for binary inputs (captures). */
  offset?: number;
}

export interface Summary {
  errors: number;
  warnings: number;
  infos: number;
}

export function summarize(diags: readonly Diagnostic[]): Summary {
  const s: Summary = { errors: 0, warnings: 0, infos: 0 };
  for (const d of diags) {
    if (d.severity === 'error') s.errors++;
    else if (d.severity === 'warning') s.warnings++;
    else s.infos++;
  }
  return s;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Deterministic order: by file, position, then code. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return diags.sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}
