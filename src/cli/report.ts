/** `otzones report MODEL`: the IEC 62443 Zone Implementation Report (text, md, html, pdf, json). */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { jsonEnvelope } from '../diagnostics/format.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { validateFile } from '../index.ts';
import { buildReport, reportHasErrors } from '../report/build.ts';
import { EvidenceError, parseBaseline, parseProbe, parseVerify, type Evidence } from '../report/evidence.ts';
import { renderText } from '../report/text.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { renderHtml } from '../report/html.ts';
import { renderDiagram } from '../report/diagram.ts';
import { htmlToPdf, PdfError } from '../report/pdf.ts';
import { loadModelForCommand } from './common.ts';
import { parseFormat, UsageError, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

/** Reads and checks an attached result file; unreadable or malformed files are usage errors (exit 2). */
export function readEvidence<T>(io: CliIO, file: string, parse: (f: string, t: string) => T): T {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_STRING_TOO_LONG') throw new UsageError(`${file}: too big to read as one JSON document (the limit is about 500 MB)`);
    throw new UsageError(`${file}: cannot read (${code ?? (e as Error).message})`);
  }
  try {
    return parse(file, text);
  } catch (e) {
    if (e instanceof EvidenceError) throw new UsageError(e.message);
    throw e;
  }
}

/** Design diagnostics for the report: what `validate` reports (design rules and risk checks). */
export function reportDiagnostics(file: string, io: CliIO): { diagnostics: Diagnostic[] } {
  return { diagnostics: validateFile(file, io.cwd).diagnostics };
}

export function registerReport(program: Command, io: CliIO, state: CommandState): void {
  program
    .command('report')
    .description('the IEC 62443 Zone Implementation Report, from the model and attached verify/baseline/probe results')
    .argument('<model>', 'model file (YAML)')
    .option('--verify <file...>', 'output of `otzones verify --format json` (repeatable)')
    .option('--baseline <file...>', 'output of `otzones baseline --format json` (repeatable)')
    .option('--probe <file>', 'output of `otzones probe --format json`')
    .option('--format <format>', 'text, md, html, pdf or json', 'text')
    .option('--out <file>', 'write to this file (required for pdf); md also writes the diagram next to it as <name>.svg')
    .addHelpText(
      'after',
      `
Every number comes from the model, its policy, the design rules and the attached results; a section with
no results attached says "not run".
Exit status: 0 no error findings, 1 error findings in the report (design errors, verify errors, baseline
violations, failed probes), 2 unusable input.
Examples:
  otzones report examples/refinery-unit3.yaml
  otzones report plant.yaml --verify verify.json --baseline baseline.json --probe probe.json --format pdf --out report.pdf`,
    )
    .action(async (file: string, opts: { verify?: string[]; baseline?: string[]; probe?: string; format: string; out?: string }) => {
      const format = parseFormat(opts.format, ['text', 'md', 'html', 'pdf', 'json']);
      if (format === 'pdf' && !opts.out) throw new UsageError('--format pdf needs --out FILE (a PDF is not written to a terminal)');
      const loaded = loadModelForCommand(file, io);
      const evidence: Evidence = {
        verify: (opts.verify ?? []).map((f) => readEvidence(io, f, parseVerify)),
        baseline: (opts.baseline ?? []).map((f) => readEvidence(io, f, parseBaseline)),
        probe: opts.probe ? readEvidence(io, opts.probe, parseProbe) : undefined,
      };
      const { diagnostics } = reportDiagnostics(file, io);
      const report = buildReport({ model: loaded.model, diagnostics, evidence, locate: loaded.locate });
      const diagram = () => renderDiagram(loaded.model, { violations: report.violations });
      const out = opts.out ? resolve(io.cwd, opts.out) : undefined;
      const write = (content: string | Uint8Array) => {
        if (out) {
          try {
            writeFileSync(out, content);
          } catch (e) {
            throw new UsageError(`${opts.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
          }
        } else io.stdout.write(content);
      };
      if (format === 'json') write(JSON.stringify(jsonEnvelope('report', { report }), null, 2) + '\n');
      else if (format === 'text') write(renderText(report));
      else if (format === 'md') {
        let img: string | undefined;
        if (out) {
          const svgPath = join(dirname(out), `${basename(out, extname(out))}.svg`);
          writeFileSync(svgPath, diagram());
          img = basename(svgPath);
        }
        write(renderMarkdown(report, { diagramFile: img }));
      } else if (format === 'html') write(renderHtml(report, diagram()));
      else {
        const html = renderHtml(report, diagram());
        try {
          write(await htmlToPdf(html, { env: io.env }));
        } catch (e) {
          if (!(e instanceof PdfError)) throw e;
          // Fallback: the same report as HTML beside the requested file, to print from any browser.
          const fallback = `${opts.out!.replace(/\.pdf$/i, '')}.html`;
          writeFileSync(resolve(io.cwd, fallback), html);
          throw new UsageError(`${e.message}\nwrote ${fallback} instead (the same report; print it to PDF from a browser)`);
        }
      }
      if (out) io.stderr.write(`wrote ${opts.out}\n`);
      state.exitCode = reportHasErrors(report) ? 1 : 0;
    });
}
