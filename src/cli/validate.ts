/** `otzones validate MODEL`: load the model and run every design rule. */
import type { Command } from 'commander';
import { formatJson, formatSarif, formatText } from '../diagnostics/format.ts';
import { validateFile } from '../index.ts';
import { parseFormat, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

export function registerValidate(program: Command, io: CliIO, state: CommandState): void {
  program
    .command('validate')
    .description('load a model and check it against the IEC 62443-3-2 design rules')
    .argument('<model>', 'model file (YAML)')
    .option('--format <format>', 'text, json or sarif', 'text')
    .option('--quiet', 'text format: show errors and warnings only (no infos)')
    .addHelpText(
      'after',
      `
Exit status: 0 no errors, 1 design errors, 2 unusable input.
Examples:
  otzones validate examples/refinery-unit3.yaml
  otzones validate plant.yaml --format sarif > otzones.sarif`,
    )
    .action((file: string, opts: { format: string; quiet?: boolean }) => {
      const format = parseFormat(opts.format);
      const r = validateFile(file, io.cwd);
      const shown = opts.quiet && format === 'text' ? r.diagnostics.filter((d) => d.severity !== 'info') : r.diagnostics;
      if (format === 'json') io.stdout.write(formatJson('validate', shown, { file }));
      else if (format === 'sarif') io.stdout.write(formatSarif(shown));
      else io.stdout.write(formatText(shown, new Map([[file, r.source]])));
      state.exitCode = r.usable ? (r.diagnostics.some((d) => d.severity === 'error') ? 1 : 0) : 2;
    });
}
