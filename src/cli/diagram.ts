/** `otzones diagram MODEL --out zones.svg`: the zones grouped by Purdue level, conduits, diodes, violations. */
import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildReport } from '../report/build.ts';
import { renderDiagram } from '../report/diagram.ts';
import { parseBaseline, parseVerify } from '../report/evidence.ts';
import { PdfError, svgToPng } from '../report/pdf.ts';
import { loadModelForCommand } from './common.ts';
import { readEvidence } from './report.ts';
import { UsageError, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

export function registerDiagram(program: Command, io: CliIO, state: CommandState): void {
  program
    .command('diagram')
    .description('draw the zones (by Purdue level) and conduits as SVG (or PNG through Chromium)')
    .argument('<model>', 'model file (YAML)')
    .option('--out <file>', 'output file: .svg, or .png (needs Chromium); without it the SVG goes to stdout')
    .option('--verify <file...>', 'mark zone pairs with verify errors (output of `otzones verify --format json`)')
    .option('--baseline <file...>', 'mark zone pairs with baseline violations (output of `otzones baseline --format json`)')
    .addHelpText(
      'after',
      `
Exit status: 0 drawn, 2 unusable input.
Examples:
  otzones diagram examples/refinery-unit3.yaml --out zones.svg
  otzones diagram plant.yaml --baseline baseline.json --out zones.png`,
    )
    .action(async (file: string, opts: { out?: string; verify?: string[]; baseline?: string[] }) => {
      const { model } = loadModelForCommand(file, io);
      const evidence = {
        verify: (opts.verify ?? []).map((f) => readEvidence(io, f, parseVerify)),
        baseline: (opts.baseline ?? []).map((f) => readEvidence(io, f, parseBaseline)),
      };
      const violations = evidence.verify.length || evidence.baseline.length ? buildReport({ model, diagnostics: [], evidence }).violations : [];
      const svg = renderDiagram(model, { violations });
      if (!opts.out) {
        io.stdout.write(svg);
      } else {
        const ext = extname(opts.out).toLowerCase();
        if (ext !== '.svg' && ext !== '.png') throw new UsageError(`--out ${opts.out}: the file name must end in .svg or .png`);
        let content: string | Uint8Array = svg;
        if (ext === '.png') {
          try {
            content = await svgToPng(svg, { env: io.env });
          } catch (e) {
            if (e instanceof PdfError) throw new UsageError(e.message);
            throw e;
          }
        }
        try {
          writeFileSync(resolve(io.cwd, opts.out), content);
        } catch (e) {
          throw new UsageError(`${opts.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
        io.stderr.write(`wrote ${opts.out}\n`);
      }
      state.exitCode = 0;
    });
}
