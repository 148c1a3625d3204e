/** `otzones verify MODEL --config FILE…`: prove what firewall configurations permit between zones. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { codeInfo } from '../diagnostics/codes.ts';
import { jsonEnvelope, sarifLog } from '../diagnostics/format.ts';
import { compilePolicy } from '../policy/ir.ts';
import { ConfigSyntaxError, type FirewallConfig, type Vendor } from '../parsers/acl.ts';
import { VENDORS, detectVendor, parseConfig } from '../parsers/index.ts';
import { verifyConfigs, type VerifyFinding, type VerifyResult } from '../analysis/verify.ts';
import { loadModelForCommand, printDiagnosticsText } from './common.ts';
import { UsageError, parseFormat, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

function readConfig(file: string, io: CliIO, vendor: Vendor | undefined): { cfg: FirewallConfig; text: string } {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the configuration (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (text.includes('\u0000')) throw new UsageError(`${file}@${text.indexOf('\u0000')}: a binary file, not a firewall configuration`);
  const v = vendor ?? detectVendor(text);
  if (!v) throw new UsageError(`${file}:1:1: cannot tell which firewall this configuration is for; pass --vendor ${VENDORS.join('|')}`);
  try {
    return { cfg: parseConfig(text, file, v), text };
  } catch (e) {
    if (e instanceof ConfigSyntaxError) throw new UsageError(`${e.file}:${e.line}:${e.column}: ${e.message}`);
    throw e;
  }
}

function packetText(f: VerifyFinding): string {
  const e = f.example;
  if (!e) return '';
  const sp = e.src_port !== null ? `:${e.src_port}` : '';
  const dp = e.dst_port !== null ? (e.protocol.startsWith('icmp') ? ` type ${e.dst_port}` : `:${e.dst_port}`) : '';
  return `${e.protocol} ${e.src}${sp} -> ${e.dst}${e.protocol.startsWith('icmp') ? '' : dp}${e.protocol.startsWith('icmp') ? dp : ''}`;
}

function formatText(r: VerifyResult): string {
  const out: string[] = [];
  for (const f of r.findings) {
    const loc = f.rule ? `${f.rule.file}:${f.rule.line}: ` : '';
    out.push(`${loc}${f.severity} ${f.code} (${f.kind}): ${f.message}${f.conduit ? ` [${f.conduit}]` : ''}`);
    if (f.rule && f.rule.text) out.push(`  ${String(f.rule.line).padStart(5)} | ${f.rule.text}`);
    if (f.example) out.push(`  = example: ${packetText(f)}`);
    if (f.kind !== 'unparsed-line') out.push(`  = packets: ${f.space}`);
  }
  out.push('', 'Zone matrix (what the configuration permits; connection initiator → responder):');
  for (const m of r.matrix) out.push(`  ${m.from_zone} → ${m.to_zone}: ${m.permitted}`);
  out.push('', 'Configurations:');
  for (const c of r.coverage) {
    const share = c.lines ? (((c.parsed + c.ignored) / c.lines) * 100).toFixed(1) : '100.0';
    out.push(`  ${c.file} (${c.vendor}): ${c.lines} lines, ${c.parsed} modelled, ${c.ignored} without effect on filtering, ${c.unparsed} not understood (${share}% understood)`);
  }
  const s = summary(r);
  out.push(`${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info(s)`);
  return out.join('\n') + '\n';
}

function summary(r: VerifyResult) {
  return {
    errors: r.findings.filter((f) => f.severity === 'error').length,
    warnings: r.findings.filter((f) => f.severity === 'warning').length,
    infos: r.findings.filter((f) => f.severity === 'info').length,
  };
}

export function registerVerify(program: Command, io: CliIO, state: CommandState): void {
  program
    .command('verify')
    .description('parse firewall configurations and prove which traffic they permit between zones, against the conduits')
    .argument('<model>', 'model file (YAML)')
    .requiredOption('--config <file>', 'firewall configuration (repeat for several firewalls)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--vendor <vendor>', `${VENDORS.join(', ')} (detected from the file when absent)`)
    .option('--format <format>', 'text, json or sarif', 'text')
    .addHelpText(
      'after',
      `
Exit status: 0 nothing wrong, 1 error findings (traffic permitted that no conduit allows, conduit traffic blocked),
2 unusable input.
Examples:
  otzones verify examples/refinery-unit3.yaml --config isa3000.cfg
  otzones verify plant.yaml --config fw1.cfg --config fw2.nft --format json`,
    )
    .action((file: string, opts: { config: string[]; vendor?: string; format: string }) => {
      const format = parseFormat(opts.format);
      if (opts.vendor !== undefined && !VENDORS.includes(opts.vendor as Vendor)) {
        throw new UsageError(`--vendor must be one of ${VENDORS.join(', ')} (got "${opts.vendor}")`);
      }
      const loaded = loadModelForCommand(file, io);
      const configs = opts.config.map((c) => readConfig(c, io, opts.vendor as Vendor | undefined).cfg);
      const ir = compilePolicy(loaded.model, loaded.locate);
      // Flows the model cannot lower (endpoints without addresses) cannot be verified: say so on stderr.
      if (ir.diagnostics.length) printDiagnosticsText(io, ir.diagnostics, file, loaded.source);
      if (!loaded.model.zones.some((z) => z.prefixes.length > 0)) {
        throw new UsageError(`${file}: no zone has \`subnets\`, so no address can be placed in a zone; add the zones' subnets to verify a configuration`);
      }
      const r = verifyConfigs(loaded.model, ir, configs);
      if (format === 'json') {
        io.stdout.write(JSON.stringify(jsonEnvelope('verify', { model: file, configs: r.coverage, findings: r.findings, matrix: r.matrix, summary: summary(r) }), null, 2) + '\n');
      } else if (format === 'sarif') {
        io.stdout.write(
          sarifLog(
            r.findings.map((f) => ({
              ruleId: f.code,
              ruleName: f.kind,
              level: f.severity,
              message: `${f.message}${f.example ? ` (example: ${packetText(f)})` : ''}`,
              file: f.rule?.file,
              line: f.rule && f.rule.line > 0 ? f.rule.line : undefined,
              properties: { kind: f.kind, from_zone: f.from_zone, to_zone: f.to_zone, conduit: f.conduit, example: f.example, space: f.space },
            })),
            (id) => codeInfo(id)?.title,
          ),
        );
      } else io.stdout.write(formatText(r));
      state.exitCode = r.findings.some((f) => f.severity === 'error') ? 1 : 0;
    });
}
