/** Helpers every command shares: loading the model with diagnostics on stderr, writing output. */
import { resolve } from 'node:path';
import { formatText } from '../diagnostics/format.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { loadModelFile, type LoadResult } from '../model/load.ts';
import type { Model } from '../model/types.ts';
import { UsageError, type CliIO } from './io.ts';

export interface LoadedModel extends LoadResult {
  model: Model;
}

/**
 * Loads a model for a command other than `validate`: syntax or schema errors end the command with exit 2
 * and the diagnostics on stderr; design-rule findings are not this helper's concern.
 */
export function loadModelForCommand(file: string, io: CliIO): LoadedModel {
  const r = loadModelFile(resolve(io.cwd, file));
  // Report the path as the user wrote it.
  for (const d of r.diagnostics) if (d.file) d.file = file;
  if (r.model) r.model.file = file;
  if (!r.model || hasErrors(r.diagnostics)) {
    const errors = sortDiagnostics(r.diagnostics.filter((d) => d.severity === 'error'));
    io.stderr.write(formatText(errors, new Map([[file, r.source]])));
    throw new UsageError(`${file}: the model cannot be used (${errors.length} error(s)); run \`otzones validate ${file}\``);
  }
  return r as LoadedModel;
}

export function printDiagnosticsText(io: CliIO, diags: Diagnostic[], file: string, source: string): void {
  io.stderr.write(formatText(diags, new Map([[file, source]])));
}
