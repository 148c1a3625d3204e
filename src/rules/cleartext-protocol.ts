/** ZC504: no cleartext protocol crosses a conduit whose SL-T is 2 or more. */
import type { Conduit, Flow } from '../model/types.ts';
import { slLevel } from '../model/seed.ts';
import { defineRule } from './rule.ts';
import { indexModel } from './model-helpers.ts';

/** Protocols that carry credentials or sessions in the clear. (Industrial protocols are the write rule's business; syslog carries no credentials.) */
const CLEARTEXT = new Set(['telnet', 'http', 'ftp', 'vnc', 'snmp']);
const MFA = /\bmfa\b|multi-?factor|two-?factor|\b2fa\b|jump[ -]?(server|host)/i;

function problem(f: Flow, c: Conduit, isJump: (id: string) => boolean): string | undefined {
  if (CLEARTEXT.has(f.protocol)) return `${f.protocol} is cleartext`;
  if (f.protocol === 'opcua' && (!f.securityMode || /^\s*none\s*$/i.test(f.securityMode))) {
    return `OPC UA with security mode ${f.securityMode ? `"${f.securityMode}"` : 'unset'} is neither signed nor encrypted`;
  }
  if (f.protocol === 'rdp' && !f.to.every(isJump) && ![...c.controls, ...c.compensatingControls].some((t) => MFA.test(t))) {
    return 'RDP neither terminates on a jump server nor is protected by an MFA control';
  }
  return undefined;
}

export const cleartextProtocol = defineRule(
  {
    code: 'ZC504', name: 'cleartext-protocol', severity: 'warning', title: 'A cleartext or unauthenticated protocol on a conduit with SL-T 2 or more',
    clause: 'IEC 62443-3-3 SR 3.1 and SR 4.1 (communication integrity and confidentiality at SL 2 and above)',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    const isJump = (id: string) => idx.assets.get(id)?.role === 'jump-server';
    for (const c of model.conduits) {
      if (!c.slT || slLevel(c.slT) < 2) continue;
      const seen = new Set<string>();
      for (const f of c.flows) {
        const why = problem(f, c, isJump);
        if (!why || seen.has(f.path)) continue;
        seen.add(f.path);
        report({
          path: `${f.path}.protocol`,
          message: `${why}, on conduit ${c.id} with SL-T ${slLevel(c.slT)}`,
          ids: [c.id, ...f.from, ...f.to],
          notes: ['use the encrypted variant (https, sftp/ssh, OPC UA SignAndEncrypt, SNMPv3), or document a compensating control'],
        });
      }
    }
  },
);
