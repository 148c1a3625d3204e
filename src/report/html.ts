/** HTML rendering of the report (for people, and the input of the PDF). Every model string is escaped; the page fetches nothing. */
import { FRS } from '../model/types.ts';
import { describeVector, FR_LABEL } from '../risk/check.ts';
import type { ReportData, Status } from './build.ts';
import { xmlEscape as h } from './diagram.ts';
import { generatedLines, level, statusText } from './text.ts';

const CSS = `
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;font-size:12px;color:#222;margin:24px;max-width:1400px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:16px;border-bottom:1px solid #ccd;padding-bottom:3px;margin-top:26px;page-break-after:avoid}
table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border:1px solid #ccd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef1f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.s{font-weight:bold;white-space:nowrap}.pass{color:#060}.fail{color:#b00}.not-run{color:#666;font-style:italic}.manual{color:#555}.info{color:#036}
.gap{background:#fde8e8;font-weight:bold}.meta td{border:none;padding:1px 12px 1px 0}.diagram{overflow-x:auto;border:1px solid #ccd;margin:8px 0}
.diagram svg{max-width:100%;height:auto}tr{page-break-inside:avoid}
@media print{.diagram{border:none;page-break-inside:avoid;page-break-after:always}.diagram svg{width:100%;height:140mm;max-width:none}}
`;

function st(s: Status): string {
  return `<span class="s ${s}">${statusText(s)}</span>`;
}

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((x) => `<th>${x}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function renderHtml(r: ReportData, diagramSvg?: string): string {
  const b: string[] = [];
  b.push(`<h1>${h(r.title)}</h1>`);
  b.push(`<table class="meta"><tr><td>Facility</td><td><b>${h(r.facility)}</b></td></tr><tr><td>Implementation date</td><td>${h(r.implementationDate ?? 'not given in the model')}</td></tr><tr><td>Standard</td><td>${h(r.standard)}</td></tr><tr><td>Model</td><td><code>${h(r.model)}</code></td></tr>${r.otherModels.map((o) => `<tr><td>Note</td><td>${h(o.file)} holds results for ${h(o.model)}</td></tr>`).join('')}</table>`);
  if (diagramSvg) b.push(`<div class="diagram">${diagramSvg}</div>`);
  b.push('<h2>Zone architecture</h2>');
  b.push(table(['Zone', 'Name', 'Purdue', 'SL-T', 'Assets', 'Conduits', 'Controls'], r.zones.map((z) => [h(z.id), h(z.name) + (z.safety ? ' <b>(safety)</b>' : ''), h(z.purdue ?? '-'), h(z.slTText), `${z.assets}`, z.conduits.map(h).join(', ') || 'none (isolated)', z.controls.map(h).join('<br>') || '-'])));
  b.push('<h2>Conduit configuration</h2>');
  b.push(table(['Conduit', 'Zones', 'SL-T', 'Protocols', 'Firewall rules<br>allow / deny', 'DPI enabled'], r.conduits.map((c) => [h(c.id) + `<br><small>${h(c.name)}</small>`, c.zones.map(h).join(' ↔ ') + (c.diode ? `<br>data diode ${h(c.diode.from)} → ${h(c.diode.to)}` : ''), h(c.slT), c.protocols.map((p) => h(p.text)).join('<br>') || 'none', `${c.allowRules} / ${c.denyRules}` + (c.verify ? `<br>verified: ${c.verify.errors} error(s)` : ''), h(c.dpi.text)])));
  b.push('<p>Allow = permit rules of the policy IR; deny = the default deny in each direction between the zones.</p>');
  const gen = generatedLines(r);
  b.push(`<p>${h(gen[0]!)}</p>${gen.length > 1 ? `<ul>${gen.slice(1).map((l) => `<li>${h(l)}</li>`).join('')}</ul>` : ''}`);
  b.push('<h2>Validation results</h2>');
  b.push(table(['Test', 'Status', 'Result'], [
    ['Cross-zone tests', st(r.validation.crossZone.status), h(r.validation.crossZone.text)],
    ['Prohibited path tests', st(r.validation.prohibitedPaths.status), h(r.validation.prohibitedPaths.text)],
    ['Protocol enforcement', st(r.validation.protocolEnforcement.status), h(r.validation.protocolEnforcement.text)],
    ['Data diode', st(r.validation.diode.status), h(r.validation.diode.text)],
  ]));
  const s = r.diagnostics.summary;
  b.push('<h2>Design diagnostics</h2>', `<p>${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info(s).</p>`);
  const shown = r.diagnostics.items.filter((d) => d.severity !== 'info');
  if (shown.length) b.push(table(['Severity', 'Code', 'Where', 'Message'], shown.map((d) => [`<span class="s ${d.severity === 'error' ? 'fail' : 'info'}">${d.severity}</span>`, h(d.code), h(d.line ? `${d.file ?? ''}:${d.line}:${d.column}` : d.path ?? ''), h(d.message)])));
  b.push('<h2>Risk assessment</h2>');
  if (!r.risk) b.push('<p class="not-run">Not run: the model has no <code>risk</code> section.</p>');
  else {
    b.push(`<p>Risk = matrix[likelihood][worst consequence] (${r.risk.method.customMatrix ? 'matrix from the model' : 'likelihood × consequence'}); tolerable risk ${h(String(r.risk.method.tolerable))}.</p>`);
    b.push(table(['Scenario', 'Target', 'Threat source', 'Vector', 'L', 'C', 'Risk', 'Rec. SL', 'Residual'], r.risk.scenarios.map((x) => [h(x.id), h(x.target), h(x.threatSource ?? '-'), h(x.vector ?? '-'), `${x.likelihood}`, `${x.consequence} (${h(x.worstCategory ?? '-')})`, `${x.risk}`, `${x.recommendedSL}`, `${x.residualRisk}${x.reachable ? '' : ' (above tolerable at SL 4)'}`])));
    b.push(table(['Zone', 'Declared SL-T', `Recommended (${FRS.join('/')})`, 'Scenarios'], r.risk.zones.map((z) => {
      const below = z.declared ? FRS.some((fr) => z.declared![fr] < z.recommended[fr]) : true;
      return [h(z.zoneId), (below ? '<span class="s fail">' : '<span>') + h(r.zones.find((x) => x.id === z.zoneId)!.slTText) + '</span>', FRS.map((fr) => z.recommended[fr]).join('/'), z.scenarios.map(h).join(', ')];
    })));
    if (r.risk.conduits.length) {
      b.push(table(['Conduit', 'Declared SL-T', `Recommended (${FRS.join('/')})`, 'Scenarios'], r.risk.conduits.map((c) => {
        const below = FRS.some((fr) => (c.declared?.[fr] ?? 0) < c.recommended[fr]);
        return [h(c.conduitId), (below ? '<span class="s fail">' : '<span>') + h(c.declared ? describeVector(c.declared) : 'not declared') + '</span>', FRS.map((fr) => c.recommended[fr]).join('/'), c.scenarios.map(h).join(', ')];
      })));
    }
  }
  b.push('<h2>Security level gaps (SL-T / SL-A)</h2>');
  b.push(`<table><thead><tr><th>Zone</th>${FRS.map((fr) => `<th>${FR_LABEL[fr]}</th>`).join('')}</tr></thead><tbody>${r.sl.map((z) => `<tr><td>${h(z.zoneId)}</td>${z.frs.map((f) => `<td class="${f.gap ? 'gap' : ''}">${level(f.target)} / ${level(f.achieved)}${f.gap ? ` (−${f.gap})` : ''}${f.compensation ? ` <small title="${h(f.compensation.control)}">comp.</small>` : ''}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
  b.push('<p><small>target / achieved; ? = unknown (not every asset declares SL-C).</small></p>');
  b.push('<h2>Firewall verification</h2>');
  if (!r.verify) b.push('<p class="not-run">Not run (no --verify results attached).</p>');
  else {
    b.push(`<p>${r.verify.summary.errors} error(s), ${r.verify.summary.warnings} warning(s), ${r.verify.summary.infos} info(s) from ${r.verify.files.map(h).join(', ')}.</p>`);
    const f = r.verify.findings.filter((x) => x.severity !== 'info');
    if (f.length) b.push(table(['Severity', 'Kind', 'From → to', 'Example', 'Rule'], f.map((x) => [h(x.severity), h(x.kind), `${h(x.from_zone ?? '?')} → ${h(x.to_zone ?? '?')}`, x.example ? h(`${x.example.protocol} ${x.example.src} → ${x.example.dst}${x.example.dst_port !== undefined ? `:${x.example.dst_port}` : ''}`) : '-', x.rule ? h(`${x.rule.file}:${x.rule.line} ${x.rule.text}`) : '-'])));
  }
  b.push('<h2>Baseline (observed traffic)</h2>');
  if (!r.baseline) b.push('<p class="not-run">Not run (no --baseline results attached).</p>');
  else {
    const x = r.baseline;
    b.push(`<p>${x.flows} flow(s), ${x.packets} packet(s): ${Object.entries(x.byVerdict).map(([k, n]) => `${h(k)} ${n}`).join(', ')}. Violations: <b>${x.violations.length}</b>.</p>`);
    if (x.violations.length) b.push(table(['From → to', 'Flow', 'Packets', 'Reasons'], x.violations.map((f) => [`${h(f.src_zone ?? 'unzoned')} → ${h(f.dst_zone ?? 'unzoned')}`, h(`${f.protocol} ${f.transport} ${f.src} → ${f.dst}${f.dst_port != null ? `:${f.dst_port}` : ''}`), `${f.packets}`, f.reasons.map(h).join(', ')])));
  }
  b.push('<h2>ZCR traceability (IEC 62443-3-2)</h2>');
  b.push(table(['ZCR', 'Title', 'Status', 'Evidence'], r.traceability.map((t) => [t.zcr.replace(/ /g, '&nbsp;'), h(t.title), st(t.status), h(t.evidence)])));
  b.push(`<h2>System requirements (IEC 62443-3-3, up to SL ${r.maxSlT})</h2>`);
  b.push(table(['Requirement', 'SL', 'Title', 'Status', 'Evidence'], r.requirements.map((q) => [q.id.replace(/ /g, '&nbsp;'), `${q.sl}`, h(q.title), st(q.status), h(q.result)])));
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>${h(`${r.title}: ${r.facility}`)}</title><style>${CSS}</style></head><body>\n${b.join('\n')}\n</body></html>\n`;
}
