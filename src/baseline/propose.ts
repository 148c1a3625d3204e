/**
 * Proposed conduit flows for observed cross-zone traffic the policy does not allow, as a YAML snippet in the
 * model's structured dialect: flows grouped per zone pair; endpoints are asset ids when the model names the
 * address, else the zone id. Unzoned endpoints are listed for zoning first, never proposed as conduit flows.
 */
import { yamlLib } from '../model/yaml-lib.ts';
import type { Model } from '../model/types.ts';
import { protocolForPort } from '../model/protocols.ts';
import { isModbusWrite } from '../modbus/codes.ts';
import type { BaselineFlow } from './types.ts';

/** What a proposal reads of a flow; `count` flows alike (default 1). The baseline reuses one record. */
export type ProposalFlow = Pick<BaselineFlow, 'src' | 'dst' | 'src_zone' | 'dst_zone' | 'src_asset' | 'dst_asset' | 'protocol' | 'transport' | 'dst_port' | 'function_codes' | 'verdict'> & { count?: number };

interface Entry {
  protocol: string;
  transport: string;
  port: number;
  from: Set<string>;
  to: Set<string>;
  codes: Set<number>;
  flows: number;
}

export function proposeConduits(model: Model, flows: Iterable<ProposalFlow>, sortKey: (ip: string) => string = (ip) => ip): string {
  const pairs = new Map<string, Map<string, Entry>>();
  const unzoned = new Set<string>();
  for (const f of flows) {
    if (f.verdict !== 'violation') continue;
    if (!f.src_zone || !f.dst_zone) {
      if (!f.src_zone) unzoned.add(f.src);
      if (!f.dst_zone) unzoned.add(f.dst);
      continue;
    }
    const pk = `${f.src_zone}>${f.dst_zone}`;
    let m = pairs.get(pk);
    if (!m) pairs.set(pk, (m = new Map()));
    const proto = f.protocol !== 'unknown' ? f.protocol : (protocolForPort(f.transport as 'tcp', f.dst_port)?.name ?? f.transport);
    const ek = `${proto}|${f.transport}|${f.dst_port}`;
    let e = m.get(ek);
    if (!e) m.set(ek, (e = { protocol: proto, transport: f.transport, port: f.dst_port, from: new Set(), to: new Set(), codes: new Set(), flows: 0 }));
    e.from.add(f.src_asset ?? f.src_zone);
    e.to.add(f.dst_asset ?? f.dst_zone);
    for (const c of Object.keys(f.function_codes)) e.codes.add(Number(c) & 0x7f);
    e.flows += f.count ?? 1;
  }
  const existing = new Map<string, string>();
  for (const c of model.conduits) {
    const [a, b] = c.connects;
    if (a && b) {
      existing.set(`${a}>${b}`, c.id);
      existing.set(`${b}>${a}`, c.id);
    }
  }
  const conduits: Record<string, unknown>[] = [];
  for (const pk of [...pairs.keys()].sort()) {
    const [from, to] = pk.split('>');
    const entries = [...pairs.get(pk)!.values()].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port);
    const flowsYaml = entries.map((e) => {
      const o: Record<string, unknown> = { protocol: e.protocol };
      if (protocolForPort(e.transport as 'tcp', e.port)?.name !== e.protocol || e.transport !== 'tcp') {
        if (e.transport !== 'icmp') o.transport = e.transport;
      }
      if (e.transport !== 'icmp' && e.port) o.port = e.port;
      o.from = collapse([...e.from].sort());
      o.to = collapse([...e.to].sort());
      if (e.protocol === 'modbus' && e.codes.size) o.function_codes = [...e.codes].sort((a, b) => a - b);
      const writes = e.protocol === 'modbus' && [...e.codes].some((c) => isModbusWrite(c));
      o.description = `observed: ${e.flows} flow(s)${writes ? '; includes Modbus writes - confirm they are legitimate before allowing' : ''}`;
      return o;
    });
    const id = existing.get(pk);
    conduits.push({
      conduit_id: id ?? `C-PROPOSED-${from}-${to}`,
      ...(id ? {} : { name: `Proposed from observed traffic ${from} to ${to}`, connects: [from, to] }),
      protocols_allowed: flowsYaml,
    });
  }
  let text = '# Proposed conduit flows from observed cross-zone traffic (otzones baseline).\n';
  text += '# Entries under an existing conduit id are additions to that conduit; review each before adding it to the model.\n';
  if (conduits.length === 0) text += 'conduits: []\n';
  else {
    // Lists of scalars in flow style, as the model files write them: `connects: [Z5-ENT, Z2-BPCS]`.
    const { Document, isScalar, visit } = yamlLib();
    const doc = new Document({ conduits });
    visit(doc, {
      Seq(_, node) {
        if (node.items.every((i) => isScalar(i))) node.flow = true;
      },
    });
    text += doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  }
  if (unzoned.size) {
    text += `# Not proposed: ${unzoned.size} address(es) outside every zone; assign them to a zone first:\n`;
    const list = [...unzoned].map((ip) => [sortKey(ip), ip]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [, ip] of list.slice(0, 50)) text += `#   - ${ip}\n`;
    if (list.length > 50) text += `#   ... and ${list.length - 50} more (--format json lists every device under assets)\n`;
  }
  return text;
}

function collapse(ids: string[]): string | string[] {
  return ids.length === 1 ? ids[0] : ids;
}
