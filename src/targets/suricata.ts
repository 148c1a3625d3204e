/**
 * Suricata rules for IDS/IPS sensors at the conduits: for every flow that restricts Modbus or DNP3 function
 * codes, a `drop` per assigned code it does not allow (`modbus: function N`, `dnp3_func`), plus one for every
 * code outside the Modbus specification (`modbus: function !assigned`), scoped to the flow's addresses.
 */
import { MODBUS_FUNCTIONS } from '../modbus/codes.ts';
import {
  DNP3_FUNCTIONS, comment, disallowed, disallowedByte, headerLines, idsAddressList, modbusUnitGroups, ruleSummary, text,
} from './common.ts';
import { idsAddresses, idsCheck, idsPorts, idsRules, SID_BASE } from './ftd-snort.ts';
import type { Target, TargetContext, TargetFile } from './target.ts';

function emit(ctx: TargetContext): TargetFile[] {
  let sid = SID_BASE;
  const lines = comment('#', [
    ...headerLines(ctx, 'suricata'),
    'Suricata rules. Enable the modbus and dnp3 app-layer parsers in suricata.yaml (app-layer.protocols.modbus.enabled: yes,',
    'detection-ports dp: 502; dnp3 likewise on 20000) and run inline (IPS: NFQUEUE or af-packet copy-mode ips) so drop acts;',
    'in IDS mode drop alerts only.',
  ]);
  const restricted = idsRules(ctx);
  if (restricted.length === 0) lines.push('#', '# No conduit flow restricts Modbus or DNP3 function codes or Modbus unit ids: no rules.');
  for (const r of restricted) {
    const addr = `${idsAddresses(r, 'src')} any -> ${idsAddresses(r, 'dst')} ${idsPorts(r)}`;
    const msg = (what: string) => `msg:"otzones ${r.conduitId} ${r.fromZone} to ${r.toZone}: ${what} not allowed"`;
    lines.push('#', `# ${ruleSummary(r)}`);
    for (const g of modbusUnitGroups(ctx.model, r)) {
      lines.push(`# unit id ${g.unit} only for ${g.assetIds.join(', ')} (their modbus.unit_id); every other unit id is dropped`);
      const uaddr = `${idsAddresses(r, 'src')} any -> ${idsAddressList(g.prefixes)} ${idsPorts(r)}`;
      if (g.unit > 0) lines.push(`drop modbus ${uaddr} (${msg(`Modbus unit below ${g.unit}`)}; flow:to_server,established; modbus: unit <${g.unit}; sid:${sid++}; rev:1;)`);
      if (g.unit < 255) lines.push(`drop modbus ${uaddr} (${msg(`Modbus unit above ${g.unit}`)}; flow:to_server,established; modbus: unit >${g.unit}; sid:${sid++}; rev:1;)`);
    }
    if (r.app.modbusFunctionCodes) {
      lines.push(`# allowed Modbus function codes: ${r.app.modbusFunctionCodes.join(', ')}; every other code is dropped`);
      lines.push(`drop modbus ${addr} (${msg('Modbus function outside the specification')}; flow:to_server,established; modbus: function !assigned; sid:${sid++}; rev:1;)`);
      for (const fc of disallowed(MODBUS_FUNCTIONS, r.app.modbusFunctionCodes)) {
        lines.push(`drop modbus ${addr} (${msg(`Modbus function ${fc} ${MODBUS_FUNCTIONS[fc].name}`)}; flow:to_server,established; modbus: function ${fc}; sid:${sid++}; rev:1;)`);
      }
    }
    if (r.app.dnp3FunctionCodes) {
      lines.push(`# allowed DNP3 function codes: ${r.app.dnp3FunctionCodes.join(', ')}; every other code 0-255 is dropped`);
      for (const fc of disallowedByte(r.app.dnp3FunctionCodes)) {
        lines.push(`drop dnp3 ${addr} (${msg(`DNP3 function ${fc} ${DNP3_FUNCTIONS[fc] ?? 'unassigned'}`)}; flow:to_server,established; dnp3_func:${fc}; sid:${sid++}; rev:1;)`);
      }
    }
  }
  return [{ path: 'suricata/otzones.rules', content: text(lines) }];
}

export const suricataTarget: Target = {
  name: 'suricata',
  description: 'Suricata rules dropping Modbus and DNP3 function codes a conduit flow does not allow',
  check: (ctx) => idsCheck(ctx, 'suricata'),
  emit,
  howToApply: [
    'Copy `otzones.rules` to the sensor (e.g. /etc/suricata/rules/), list it under `rule-files:` in suricata.yaml,',
    'enable the modbus and dnp3 app-layer parsers, check with `suricata -T -c /etc/suricata/suricata.yaml`, then reload.',
  ].join('\n'),
};
