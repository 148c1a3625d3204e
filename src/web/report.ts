/**
 * Report download for the dashboard: the Zone Implementation Report of src/report, built from the snapshot's
 * model, design diagnostics (design rules + risk checks) and the attached verify/baseline/probe results.
 */
import { basename, extname } from 'node:path';
import { buildReport } from '../report/build.ts';
import { EvidenceError, parseBaseline, parseProbe, parseVerify, type Evidence } from '../report/evidence.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { renderHtml } from '../report/html.ts';
import { renderDiagram } from '../report/diagram.ts';
import { chromiumPath, htmlToPdf } from '../report/pdf.ts';
import type { Snapshot } from './api.ts';
import type { ReportProvider } from './server.ts';

export class ReportUnavailable extends Error {}

function evidenceOf(s: Snapshot): Evidence {
  const raw = s.raw;
  try {
    return {
      verify: raw.verify ? [parseVerify(raw.verify.file, raw.verify.text)] : [],
      baseline: raw.baseline ? [parseBaseline(raw.baseline.file, raw.baseline.text)] : [],
      probe: raw.probe ? parseProbe(raw.probe.file, raw.probe.text) : undefined,
    };
  } catch (e) {
    if (e instanceof EvidenceError) throw new ReportUnavailable(e.message);
    throw e;
  }
}

export function reportProvider(env: Record<string, string | undefined> = {}): ReportProvider {
  const formats = ['md', 'html', ...(chromiumPath(env) ? ['pdf'] : [])];
  return {
    formats,
    async render(s, format) {
      if (!s.model) throw new ReportUnavailable('the model cannot be used; see Diagnostics');
      const diagnostics = s.validation.diagnostics;
      const report = buildReport({ model: s.model, diagnostics, evidence: evidenceOf(s), ir: s.ir });
      const name = `${basename(s.model.file, extname(s.model.file))}-report`;
      if (format === 'md') return { body: renderMarkdown(report), type: 'text/markdown; charset=utf-8', filename: `${name}.md` };
      const html = renderHtml(report, renderDiagram(s.model, { violations: report.violations }));
      if (format === 'html') return { body: html, type: 'text/html; charset=utf-8', filename: `${name}.html` };
      return { body: await htmlToPdf(html, { env }), type: 'application/pdf', filename: `${name}.pdf` };
    },
  };
}
