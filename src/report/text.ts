/** Plain-text rendering of the report, in the layout of the source document's "Output Format". */
import { FRS } from '../model/types.ts';
import { describeVector, FR_LABEL } from '../risk/check.ts';
import type { ReportData, Status } from './build.ts';
import { countUnit } from './generated.ts';

const STATUS_TEXT: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', 'not-run': 'NOT RUN', manual: 'MANUAL', info: 'INFO' };
export function statusText(s: Status): string {
  return STATUS_TEXT[s];
}

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function level(n: number | null): string {
  return n === null ? '?' : String(n);
}

/** "Generated configuration: …" and one line per boundary firewall. */
export function generatedLines(r: ReportData): string[] {
  if (!r.generated.length) return ['Generated configuration: no boundary firewall in the model (firewalls extension)'];
  return [
    'Generated configuration (otzones compile, per boundary firewall):',
    ...r.generated.map((g) => `${g.firewall}${g.target ? ` (${g.target})` : ''}: ${g.allow !== null ? `${g.allow} allow / ${g.deny} deny ${countUnit(g.target!)}` : g.reason}`),
  ];
}

export function renderText(r: ReportData): string {
  const out: string[] = [];
  out.push(r.title, '='.repeat(r.title.length));
  out.push(`Facility: ${r.facility}`);
  out.push(`Implementation Date: ${r.implementationDate ?? 'not given in the model'}`);
  out.push(`Standard: ${r.standard}`);
  out.push(`Model: ${r.model}`);
  for (const o of r.otherModels) out.push(`Note: ${o.file} holds results for ${o.model}`);
  out.push('');
  out.push('ZONE ARCHITECTURE:');
  for (const z of r.zones) {
    out.push(`Zone ${z.id}: ${z.name} (SL-T: ${z.slTText})`);
    out.push(`  Purdue level: ${z.purdue ?? 'not given'}${z.safety ? ' (safety)' : ''}`);
    out.push(`  Assets: ${z.assets}${z.assets !== z.assetEntries ? ` (${z.assetEntries} ${z.assetEntries === 1 ? 'entry' : 'entries'})` : ''}`);
    out.push(`  Conduits: ${z.conduits.length ? z.conduits.join(', ') : 'none (isolated)'}`);
    out.push(`  Controls: ${z.controls.length ? z.controls.join('; ') : 'none declared'}`);
  }
  out.push('');
  out.push('CONDUIT CONFIGURATION:');
  for (const c of r.conduits) {
    out.push(`Conduit ${c.id}: ${c.zones.join(' <-> ')}${c.diode ? ` (data diode ${c.diode.from} -> ${c.diode.to})` : ''} (SL-T: ${c.slT})`);
    out.push(`  Protocols:${c.protocols.length ? '' : ' none'}`);
    for (const p of c.protocols) out.push(`    ${p.text}`);
    out.push(`  Firewall Rules: ${c.allowRules} allow / ${c.denyRules} deny (policy IR; default deny per direction)`);
    if (c.verify) out.push(`  Verified config: ${c.verify.errors} error(s), ${c.verify.warnings} warning(s)${Object.keys(c.verify.kinds).length ? ` (${Object.entries(c.verify.kinds).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`);
    out.push(`  DPI Enabled: ${c.dpi.text}`);
    if (c.compensatingControls.length) out.push(`  Compensating controls: ${c.compensatingControls.join('; ')}`);
  }
  out.push(...generatedLines(r).map((l, i) => (i ? `  ${l}` : l)));
  out.push('');
  out.push('VALIDATION RESULTS:');
  out.push(`Cross-zone tests: ${r.validation.crossZone.text}`);
  out.push(`Prohibited path tests: ${r.validation.prohibitedPaths.text}`);
  out.push(`Protocol enforcement: ${r.validation.protocolEnforcement.text}`);
  out.push(`Data diode: ${r.validation.diode.text}`);
  if (r.validation.probe) out.push(`  (probe results: ${r.validation.probe.file})`);
  out.push('');
  out.push('DESIGN DIAGNOSTICS:');
  const s = r.diagnostics.summary;
  out.push(`${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info(s)`);
  for (const d of r.diagnostics.items.filter((x) => x.severity !== 'info')) {
    out.push(`  ${d.severity} ${d.code}${d.line ? ` ${d.file}:${d.line}:${d.column}` : ''}: ${d.message}`);
  }
  out.push('');
  out.push('RISK ASSESSMENT:');
  if (!r.risk) out.push('not run (the model has no risk section; see docs/risk.md)');
  else {
    out.push(`Method: risk = matrix[likelihood][worst consequence] (${r.risk.method.customMatrix ? 'matrix from the model' : 'likelihood x consequence'}); tolerable risk ${r.risk.method.tolerable}`);
    out.push(
      ...table([
        ['Scenario', 'Target', 'L', 'C', 'Worst', 'Risk', 'SL', 'Residual', 'FRs'],
        ...r.risk.scenarios.map((x) => [x.id, x.target, String(x.likelihood), String(x.consequence), x.worstCategory ?? '-', String(x.risk), String(x.recommendedSL), `${x.residualRisk}${x.reachable ? '' : ' (!)'}`, x.frs.length === FRS.length ? 'all' : x.frs.join(',')]),
      ]),
    );
    out.push('Recommended SL-T per zone (ZCR 5.6):');
    out.push(
      ...table([
        ['Zone', 'Declared', `Recommended (${FRS.join('/')})`, 'Result'],
        ...r.risk.zones.map((z) => {
          const dec = r.zones.find((x) => x.id === z.zoneId)!;
          const below = z.declared ? FRS.filter((fr) => z.declared![fr] < z.recommended[fr]) : [];
          const far = z.declared ? FRS.filter((fr) => z.recommended[fr] > 0 && z.declared![fr] >= z.recommended[fr] + 2) : [];
          const res = !z.declared ? 'SL-T missing' : below.length ? `BELOW (${below.join(',')})` : far.length ? `far above (${far.join(',')})` : 'ok';
          return [z.zoneId, dec.slTText, FRS.map((fr) => z.recommended[fr]).join('/'), res];
        }),
      ]),
    );
    if (r.risk.conduits.length) {
      out.push('Recommended SL-T per conduit (scenarios that target the conduit):');
      out.push(
        ...table([
          ['Conduit', 'Declared', `Recommended (${FRS.join('/')})`, 'Result'],
          ...r.risk.conduits.map((c) => {
            const below = FRS.filter((fr) => (c.declared?.[fr] ?? 0) < c.recommended[fr]);
            return [c.conduitId, c.declared ? describeVector(c.declared) : 'not declared', FRS.map((fr) => c.recommended[fr]).join('/'), below.length ? `BELOW (${below.join(',')})` : 'ok'];
          }),
        ]),
      );
    }
  }
  out.push('');
  out.push('SECURITY LEVEL GAPS (SL-T / SL-A per FR):');
  const anyKnown = r.sl.some((z) => z.frs.some((f) => f.achieved !== null));
  if (!anyKnown) out.push('not run (no asset declares sl_c, and no compensation is declared)');
  out.push(
    ...table([
      ['Zone', ...FRS.map((fr) => FR_LABEL[fr].replace('FR ', 'FR'))],
      ...r.sl.map((z) => [z.zoneId, ...z.frs.map((f) => `${level(f.target)}/${level(f.achieved)}${f.gap ? ` -${f.gap}` : ''}${f.compensation ? '*' : ''}`)]),
    ]),
  );
  out.push('  (target/achieved; -n = gap; * = compensated; ? = unknown)');
  out.push('');
  out.push('FIREWALL VERIFICATION:');
  if (!r.verify) out.push('not run (no --verify results attached)');
  else {
    out.push(`${r.verify.summary.errors} error(s), ${r.verify.summary.warnings} warning(s), ${r.verify.summary.infos} info(s) from ${r.verify.files.join(', ')}${r.verify.configs.length ? ` (configs: ${r.verify.configs.join(', ')})` : ''}`);
    for (const f of r.verify.findings.filter((x) => x.severity !== 'info')) {
      out.push(`  ${f.severity} ${f.kind} ${f.from_zone ?? '?'} -> ${f.to_zone ?? '?'}${f.example ? ` e.g. ${f.example.protocol} ${f.example.src} -> ${f.example.dst}${f.example.dst_port !== undefined ? `:${f.example.dst_port}` : ''}` : ''}${f.rule ? ` (${f.rule.file}:${f.rule.line})` : ''}`);
    }
  }
  out.push('');
  out.push('BASELINE (observed traffic):');
  if (!r.baseline) out.push('not run (no --baseline results attached)');
  else {
    const b = r.baseline;
    out.push(`${b.flows} flow(s), ${b.packets} packet(s) from ${b.files.join(', ')}: ${Object.entries(b.byVerdict).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    out.push(`Violations: ${b.violations.length}`);
    for (const f of b.violations) out.push(`  ${f.src_zone ?? 'unzoned'} -> ${f.dst_zone ?? 'unzoned'}: ${f.protocol} ${f.transport} ${f.src} -> ${f.dst}${f.dst_port != null ? `:${f.dst_port}` : ''} (${f.packets} pkts; ${f.reasons.join(', ')})`);
    if (b.unzonedAssets.length) out.push(`Hosts in no zone: ${b.unzonedAssets.join(', ')}`);
  }
  out.push('');
  out.push('ZCR TRACEABILITY (IEC 62443-3-2):');
  out.push(...table(r.traceability.map((t) => [t.zcr, statusText(t.status), t.title, t.evidence])));
  out.push('');
  out.push(`SYSTEM REQUIREMENTS (IEC 62443-3-3, up to SL ${r.maxSlT}):`);
  out.push(...table([['Requirement', 'SL', 'Status', 'Title', 'Evidence'], ...r.requirements.map((q) => [q.id, String(q.sl), statusText(q.status), q.title, q.result])]));
  return plain(out.join('\n') + '\n');
}

/** Terminal-safe text: control characters from model strings (escape sequences, carriage returns) become "?". */
export function plain(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}
