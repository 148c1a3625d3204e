/** ZC503: no write-capable industrial protocol is initiated from a higher Purdue level into a lower one. */
import { protocolInfo } from '../model/protocols.ts';
import { isModbusWrite } from '../model/modbus-codes.ts';
import type { Flow } from '../model/types.ts';
import { defineRule } from './rule.ts';
import { endpointZones, indexModel, levelText } from './model-helpers.ts';

/** DNP3 confirm (0) and read (1) change nothing. */
const DNP3_READ_ONLY = [0, 1];

/** Why a flow of a write-capable protocol is not restricted to reads; undefined when it is. */
function unrestricted(f: Flow): string | undefined {
  if (f.protocol === 'modbus') {
    if (!f.functionCodes) return 'no `function_codes` list restricts it to reads';
    const writes = f.functionCodes.filter((fc) => isModbusWrite(fc));
    return writes.length ? `its function codes include ${writes.join(', ')}, which can change device state` : undefined;
  }
  if (f.protocol === 'dnp3' && f.dnp3FunctionCodes) {
    const writes = f.dnp3FunctionCodes.filter((fc) => !DNP3_READ_ONLY.includes(fc));
    return writes.length ? `its DNP3 function codes include ${writes.join(', ')}, which are not read-only (0-1)` : undefined;
  }
  return `${f.protocol} can write or download to the device`;
}

export const writeFromHigherLevel = defineRule(
  {
    code: 'ZC503', name: 'write-from-higher-level', severity: 'warning', title: 'A write-capable industrial protocol is initiated from a higher Purdue level',
    clause: 'IEC 62443-3-3 SR 5.2 and SR 3.1 (restrict communication across zone boundaries to what is needed; protect integrity)',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    for (const c of model.conduits) {
      const seen = new Set<string>();
      for (const f of c.flows) {
        if (!protocolInfo(f.protocol)?.writeCapable || seen.has(f.path)) continue;
        const why = unrestricted(f);
        if (!why) continue;
        const pairs: string[] = [];
        const ids = new Set<string>([c.id]);
        for (const hi of endpointZones(idx, f.from)) {
          for (const lo of endpointZones(idx, f.to)) {
            if (hi.purdue && lo.purdue && hi.purdue.min > lo.purdue.max) {
              pairs.push(`${hi.id} (${levelText(hi)}) to ${lo.id} (${levelText(lo)})`);
              ids.add(hi.id).add(lo.id);
            }
          }
        }
        if (!pairs.length) continue;
        seen.add(f.path);
        report({
          path: f.path,
          message: `${f.protocol} is initiated from ${pairs.join(', ')} in conduit ${c.id}, and ${why}`,
          ids: [...ids],
          notes: [
            f.protocol === 'modbus'
              ? 'list the read function codes the higher level needs (e.g. `function_codes: [3, 4]`) so the boundary can block writes'
              : 'let the lower level publish the data upward (or through a read-only gateway), or justify the writes in the conduit controls',
          ],
        });
      }
    }
  },
);
