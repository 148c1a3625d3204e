/** `otzones diff OLD.yaml NEW.yaml`: what a model change does — zones, conduits, flows, SLs, permitted traffic. */
import type { Command } from 'commander';
import { jsonEnvelope } from '../diagnostics/format.ts';
import { diffModels, renderDiff } from '../report/diff.ts';
import { loadModelForCommand } from './common.ts';
import { parseFormat, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

export function registerDiff(program: Command, io: CliIO, state: CommandState): void {
  program
    .command('diff')
    .description('compare two models: zones, conduits, flows, security levels and the zone pairs whose permitted traffic changes')
    .argument('<old>', 'the model before the change (YAML)')
    .argument('<new>', 'the model after the change (YAML)')
    .option('--format <format>', 'text, md or json', 'text')
    .option('--exit-code', 'exit 1 when the models differ (like git diff --exit-code)')
    .addHelpText(
      'after',
      `
Exit status: 0 (or with --exit-code: 0 same, 1 different), 2 unusable input.
Examples:
  otzones diff plant.yaml plant-new.yaml --format md >> $GITHUB_STEP_SUMMARY
  git show main:plant.yaml > /tmp/old.yaml && otzones diff /tmp/old.yaml plant.yaml`,
    )
    .action((oldFile: string, newFile: string, opts: { format: string; exitCode?: boolean }) => {
      const format = parseFormat(opts.format, ['text', 'md', 'json']);
      const a = loadModelForCommand(oldFile, io);
      const b = loadModelForCommand(newFile, io);
      const d = diffModels(a.model, b.model);
      if (format === 'json') io.stdout.write(JSON.stringify(jsonEnvelope('diff', { diff: d }), null, 2) + '\n');
      else io.stdout.write(renderDiff(d, format as 'md' | 'text'));
      state.exitCode = opts.exitCode && !d.same ? 1 : 0;
    });
}
