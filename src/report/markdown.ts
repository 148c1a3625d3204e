/** Markdown rendering of the report (for pull requests and wikis). Model strings are escaped for tables and inline HTML. */
import { FRS } from '../model/types.ts';
import { describeVector, FR_LABEL } from '../risk/check.ts';
import type { ReportData } from './build.ts';
import { generatedLines, level, statusText } from './text.ts';

/** Escapes text for a Markdown table cell or paragraph: no HTML, no table breaks, no emphasis or links. */
export function mdEscape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/([*_`[\]#~!])/g, '\\$1')
    .replace(/\r?\n/g, ' ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function renderMarkdown(r: ReportData, opts: { diagramFile?: string } = {}): string {
  const e = mdEscape;
  const out: string[] = [];
  out.push(`# ${e(r.title)}`, '');
  out.push(`- **Facility:** ${e(r.facility)}`, `- **Implementation date:** ${e(r.implementationDate ?? 'not given in the model')}`, `- **Standard:** ${e(r.standard)}`, `- **Model:** \`${r.model.replace(/`/g, "'")}\``, ...r.otherModels.map((o) => `- **Note:** ${e(o.file)} holds results for ${e(o.model)}`), '');
  if (opts.diagramFile) out.push(`![Zones and conduits](${encodeURI(opts.diagramFile)})`, '');
  else out.push('_Diagram: with `--out FILE.md` it is written beside the report; or run `otzones diagram`._', '');
  out.push('## Zone architecture', '');
  out.push(...table(['Zone', 'Name', 'Purdue', 'SL-T', 'Assets', 'Conduits', 'Controls'], r.zones.map((z) => [e(z.id), e(z.name), e(z.purdue ?? '-'), e(z.slTText), String(z.assets), z.conduits.map(e).join(', ') || 'none (isolated)', z.controls.map(e).join('; ') || '-'])));
  out.push('', '## Conduit configuration', '');
  out.push(...table(['Conduit', 'Zones', 'SL-T', 'Protocols', 'Firewall rules (allow / deny)', 'DPI enabled'], r.conduits.map((c) => [e(c.id), c.zones.map(e).join(' ↔ ') + (c.diode ? ` (diode ${e(c.diode.from)} → ${e(c.diode.to)})` : ''), e(c.slT), c.protocols.map((p) => e(p.text)).join('<br>') || 'none', `${c.allowRules} / ${c.denyRules}${c.verify ? `; verified: ${c.verify.errors} error(s)` : ''}`, e(c.dpi.text)])));
  out.push('', 'Allow = permit rules of the policy IR; deny = the default deny in each direction between the zones.', '');
  const gen = generatedLines(r);
  out.push(gen[0]!, '', ...gen.slice(1).map((l) => `- ${e(l)}`), ...(gen.length > 1 ? [''] : []));
  out.push('## Validation results', '');
  out.push(...table(['Test', 'Status', 'Result'], [
    ['Cross-zone tests', statusText(r.validation.crossZone.status), e(r.validation.crossZone.text)],
    ['Prohibited path tests', statusText(r.validation.prohibitedPaths.status), e(r.validation.prohibitedPaths.text)],
    ['Protocol enforcement', statusText(r.validation.protocolEnforcement.status), e(r.validation.protocolEnforcement.text)],
    ['Data diode', statusText(r.validation.diode.status), e(r.validation.diode.text)],
  ]));
  out.push('', '## Design diagnostics', '');
  const s = r.diagnostics.summary;
  out.push(`${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info(s).`, '');
  const shown = r.diagnostics.items.filter((d) => d.severity !== 'info');
  if (shown.length) out.push(...table(['Severity', 'Code', 'Where', 'Message'], shown.map((d) => [d.severity, d.code, d.line ? `${e(d.file ?? '')}:${d.line}:${d.column}` : e(d.path ?? ''), e(d.message)])));
  out.push('', '## Risk assessment', '');
  if (!r.risk) out.push('Not run: the model has no `risk` section (see docs/risk.md).');
  else {
    out.push(`Risk = matrix[likelihood][worst consequence] (${r.risk.method.customMatrix ? 'matrix from the model' : 'likelihood × consequence'}); tolerable risk ${r.risk.method.tolerable}.`, '');
    out.push(...table(['Scenario', 'Target', 'Threat source', 'Likelihood', 'Consequence', 'Risk', 'Recommended SL', 'Residual risk'], r.risk.scenarios.map((x) => [e(x.id), e(x.target), e(x.threatSource ?? '-'), String(x.likelihood), `${x.consequence} (${e(x.worstCategory ?? '-')})`, String(x.risk), String(x.recommendedSL), `${x.residualRisk}${x.reachable ? '' : ' (above tolerable at SL 4)'}`])));
    out.push('', ...table(['Zone', 'Declared SL-T', 'Recommended per FR (' + FRS.join('/') + ')', 'Scenarios'], r.risk.zones.map((z) => [e(z.zoneId), e(r.zones.find((x) => x.id === z.zoneId)!.slTText), FRS.map((fr) => z.recommended[fr]).join('/'), z.scenarios.map(e).join(', ')])));
    if (r.risk.conduits.length) out.push('', ...table(['Conduit', 'Declared SL-T', 'Recommended per FR (' + FRS.join('/') + ')', 'Scenarios'], r.risk.conduits.map((c) => [e(c.conduitId), c.declared ? e(describeVector(c.declared)) : 'not declared', FRS.map((fr) => c.recommended[fr]).join('/'), c.scenarios.map(e).join(', ')])));
  }
  out.push('', '## Security level gaps (SL-T / SL-A)', '');
  out.push(...table(['Zone', ...FRS.map((fr) => FR_LABEL[fr])], r.sl.map((z) => [e(z.zoneId), ...z.frs.map((f) => `${level(f.target)} / ${level(f.achieved)}${f.gap ? ` **−${f.gap}**` : ''}${f.compensation ? ' (compensated)' : ''}`)])));
  out.push('', '`?` = unknown (no SL-C declared for every asset).', '');
  out.push('## Firewall verification', '');
  if (!r.verify) out.push('Not run (no `--verify` results attached).');
  else {
    out.push(`${r.verify.summary.errors} error(s), ${r.verify.summary.warnings} warning(s), ${r.verify.summary.infos} info(s).`, '');
    const f = r.verify.findings.filter((x) => x.severity !== 'info');
    if (f.length) out.push(...table(['Severity', 'Kind', 'From → to', 'Example', 'Rule'], f.map((x) => [x.severity, e(x.kind), `${e(x.from_zone ?? '?')} → ${e(x.to_zone ?? '?')}`, x.example ? e(`${x.example.protocol} ${x.example.src} → ${x.example.dst}${x.example.dst_port !== undefined ? `:${x.example.dst_port}` : ''}`) : '-', x.rule ? e(`${x.rule.file}:${x.rule.line}`) : '-'])));
  }
  out.push('', '## Baseline (observed traffic)', '');
  if (!r.baseline) out.push('Not run (no `--baseline` results attached).');
  else {
    const b = r.baseline;
    out.push(`${b.flows} flow(s), ${b.packets} packet(s): ${Object.entries(b.byVerdict).map(([k, n]) => `${e(k)} ${n}`).join(', ')}. Violations: ${b.violations.length}.`, '');
    if (b.violations.length) out.push(...table(['From → to', 'Flow', 'Packets', 'Reasons'], b.violations.map((f) => [`${e(f.src_zone ?? 'unzoned')} → ${e(f.dst_zone ?? 'unzoned')}`, e(`${f.protocol} ${f.transport} ${f.src} → ${f.dst}${f.dst_port != null ? `:${f.dst_port}` : ''}`), String(f.packets), f.reasons.map(e).join(', ')])));
  }
  out.push('', '## ZCR traceability (IEC 62443-3-2)', '');
  out.push(...table(['ZCR', 'Title', 'Status', 'Evidence'], r.traceability.map((t) => [t.zcr, e(t.title), statusText(t.status), e(t.evidence)])));
  out.push('', `## System requirements (IEC 62443-3-3, up to SL ${r.maxSlT})`, '');
  out.push(...table(['Requirement', 'SL', 'Title', 'Status', 'Evidence'], r.requirements.map((q) => [q.id, String(q.sl), e(q.title), statusText(q.status), e(q.result)])));
  return out.join('\n') + '\n';
}
