/**
 * Snort 3 intrusion rules for Cisco Firepower / ISA-3000 (FTD): the function-code part of each conduit flow
 * that restricts Modbus or DNP3. For every function code 0-255 the flow does not allow (assigned or not: fail
 * closed), one `drop` rule scoped to the flow's initiators, responders and ports, using the Modbus/DNP3
 * inspectors' rule options (`modbus_func` and `dnp3_func` take one code each and no negation). Responders whose
 * asset declares `modbus.unit_id` get the same treatment for unit ids (`modbus_unit`).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { MODBUS_FUNCTIONS } from '../modbus/codes.ts';
import type { PolicyRule } from '../policy/ir.ts';
import {
  DNP3_FUNCTIONS, TARGET_CANNOT_EXPRESS, comment, disallowedByte, endpointPrefixes, headerLines, idsAddressList, modbusUnitGroups, portText,
  ruleSummary, targetDiag, text,
} from './common.ts';
import type { Target, TargetContext, TargetFile } from './target.ts';

/** First SID of generated rules (local rules live above 1,000,000). */
export const SID_BASE = 62443001;

/** `10.30.1.50` or `[10.20.0.0/16,10.30.1.50]`: Snort and Suricata share the address list syntax. */
export function idsAddresses(r: PolicyRule, side: 'src' | 'dst'): string {
  return idsAddressList(endpointPrefixes(r[side]));
}

/** Modbus flows whose responders declare a unit id, or that restrict function codes (IR order). */
export function idsRules(ctx: TargetContext): PolicyRule[] {
  return ctx.ir.rules.filter((r) => r.app.modbusFunctionCodes || r.app.dnp3FunctionCodes || modbusUnitGroups(ctx.model, r).length);
}

export function idsPorts(r: PolicyRule): string {
  if (r.ports.length === 0) return 'any';
  const ps = r.ports.map((p) => portText(p, ':'));
  return ps.length === 1 ? ps[0] : `[${ps.join(',')}]`;
}

/** Diagnostics shared with suricata: what an IDS rule set cannot say about a flow. */
export function idsCheck(ctx: TargetContext, target: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of ctx.ir.rules) {
    if (r.app.s7Functions) {
      out.push(targetDiag(ctx, TARGET_CANNOT_EXPRESS, r.modelPath, `${target}: S7 function restrictions of ${r.conduitId} are not written (no S7 rule option is used); enforce them on the S7-aware firewall`, [r.conduitId]));
    }
  }
  return out;
}

function modbusRules(r: PolicyRule, next: () => number, head: string): string[] {
  const lines: string[] = [];
  for (const fc of disallowedByte(r.app.modbusFunctionCodes!)) {
    const name = MODBUS_FUNCTIONS[fc]?.name ?? (fc >= 128 ? 'exception-range' : 'unassigned');
    lines.push(
      `drop ${head} ( msg:"otzones ${r.conduitId} ${r.fromZone} to ${r.toZone}: Modbus function ${fc} ${name} not allowed"; flow:to_server,established; service:modbus; modbus_func:${fc}; sid:${next()}; rev:1; )`,
    );
  }
  return lines;
}

function dnp3Rules(r: PolicyRule, next: () => number, head: string): string[] {
  const lines: string[] = [];
  for (const fc of disallowedByte(r.app.dnp3FunctionCodes!)) {
    lines.push(
      `drop ${head} ( msg:"otzones ${r.conduitId} ${r.fromZone} to ${r.toZone}: DNP3 function ${fc} ${DNP3_FUNCTIONS[fc] ?? 'unassigned'} not allowed"; flow:to_server,established; service:dnp3; dnp3_func:${fc}; sid:${next()}; rev:1; )`,
    );
  }
  return lines;
}

function unitRules(ctx: TargetContext, r: PolicyRule, next: () => number): string[] {
  const lines: string[] = [];
  for (const g of modbusUnitGroups(ctx.model, r)) {
    lines.push(`# unit id ${g.unit} only for ${g.assetIds.join(', ')} (their modbus.unit_id); every other unit id 0-255 is dropped`);
    const head = `tcp ${idsAddresses(r, 'src')} any -> ${idsAddressList(g.prefixes)} ${idsPorts(r)}`;
    for (let u = 0; u <= 255; u++) {
      if (u === g.unit) continue;
      lines.push(
        `drop ${head} ( msg:"otzones ${r.conduitId} ${r.fromZone} to ${r.toZone}: Modbus unit ${u} not allowed (declared unit ${g.unit})"; flow:to_server,established; service:modbus; modbus_unit:${u}; sid:${next()}; rev:1; )`,
      );
    }
  }
  return lines;
}

function emit(ctx: TargetContext): TargetFile[] {
  let sid = SID_BASE;
  const next = () => sid++;
  const lines = comment('#', [
    ...headerLines(ctx, 'ftd-snort'),
    'Snort 3 intrusion rules (Firepower / ISA-3000 FTD, or snort -c snort.lua -R this file) for the function codes',
    'each conduit flow allows. Bind the modbus (tcp 502) and dnp3 (tcp 20000) inspectors, run inline (IPS) so drop',
    'acts, and enable the inspectors\' built-in rules 144:1-3 (malformed Modbus) and 145:1-6 (malformed DNP3) as drop.',
    'modbus_func / dnp3_func match one code and cannot be negated, so every code 0-255 a flow does not allow has a rule.',
    'The L3/L4 part (who may talk to whom at all) is in the asa output.',
  ]);
  const restricted = idsRules(ctx);
  if (restricted.length === 0) lines.push('#', '# No conduit flow restricts Modbus or DNP3 function codes or Modbus unit ids: no rules.');
  for (const r of restricted) {
    const head = `tcp ${idsAddresses(r, 'src')} any -> ${idsAddresses(r, 'dst')} ${idsPorts(r)}`;
    lines.push('#', `# ${ruleSummary(r)}`);
    lines.push(...unitRules(ctx, r, next));
    if (r.app.modbusFunctionCodes) {
      lines.push(`# allowed Modbus function codes: ${r.app.modbusFunctionCodes.map((c) => `${c} ${MODBUS_FUNCTIONS[c]?.name ?? 'unassigned'}`).join(', ')}; every other code 0-255 is dropped`);
      lines.push(...modbusRules(r, next, head));
    }
    if (r.app.dnp3FunctionCodes) {
      lines.push(`# allowed DNP3 function codes: ${r.app.dnp3FunctionCodes.map((c) => `${c} ${DNP3_FUNCTIONS[c] ?? 'unassigned'}`).join(', ')}; every other code 0-255 is dropped`);
      lines.push(...dnp3Rules(r, next, head));
    }
  }
  return [{ path: 'ftd-snort/otzones.rules', content: text(lines) }];
}

export const ftdSnortTarget: Target = {
  name: 'ftd-snort',
  description: 'Snort 3 rules (Firepower / ISA-3000) dropping Modbus and DNP3 function codes a conduit flow does not allow',
  check: (ctx) => idsCheck(ctx, 'ftd-snort'),
  emit,
  howToApply: [
    'FMC: Objects > Intrusion Rules > Upload Snort 3 rules (`otzones.rules`), add them to the intrusion policy of the',
    'access-control rules that pass the conduit flows, set the policy to inline drop, and enable rules 144:1-3 and 145:1-6.',
    'Open-source Snort 3: `snort -c snort.lua -R otzones.rules -Q` with the modbus and dnp3 inspectors bound.',
  ].join('\n'),
};
