/**
 * Flow store (`--store FILE`): flows from each run are appended to a DuckDB file so captures and logs can be
 * ingested day by day and judged together. Addresses are kept as integers (IPv4 in `*_lo`; IPv6 as two signed
 * 64-bit halves) next to their text; the queries use a portable SQL subset (CREATE TABLE, INSERT, SELECT with
 * GROUP BY, SUM, MIN, MAX) so a cluster engine can run them later. One writer process per file.
 */
import type { Observation } from '../capture/observation.ts';
import { FlowTable } from '../capture/flow-table.ts';
import { parseIp } from '../net/ip.ts';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ingests (id INTEGER, source VARCHAR, flows BIGINT)`,
  `CREATE TABLE IF NOT EXISTS flows (
     ingest_id INTEGER, family SMALLINT,
     src_hi BIGINT, src_lo BIGINT, dst_hi BIGINT, dst_lo BIGINT, src VARCHAR, dst VARCHAR,
     transport VARCHAR, dst_port INTEGER, protocol VARCHAR,
     packets_out BIGINT, bytes_out BIGINT, packets_in BIGINT, bytes_in BIGINT,
     first_us BIGINT, last_us BIGINT, connections BIGINT, fw_allowed BIGINT, fw_denied BIGINT, evidence VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS flow_codes (
     ingest_id INTEGER, src VARCHAR, dst VARCHAR, transport VARCHAR, dst_port INTEGER,
     direction VARCHAR, code INTEGER, name VARCHAR, count BIGINT)`,
];

function halves(ip: string): [bigint, bigint] {
  const p = parseIp(ip);
  if (!p.ok) return [0n, 0n];
  const v = p.value.value;
  return [BigInt.asIntN(64, v >> 64n), BigInt.asIntN(64, v & 0xffffffffffffffffn)];
}

type DuckModule = typeof import('@duckdb/node-api');
type Connection = Awaited<ReturnType<Awaited<ReturnType<DuckModule['DuckDBInstance']['create']>>['connect']>>;

export class FlowStore {
  private constructor(
    private readonly instance: { closeSync(): void },
    private readonly con: Connection,
  ) {}

  static async open(path: string): Promise<FlowStore> {
    const duck: DuckModule = await import('@duckdb/node-api');
    const instance = await duck.DuckDBInstance.create(path);
    const con = await instance.connect();
    for (const s of SCHEMA) await con.run(s);
    return new FlowStore(instance, con);
  }

  /** Appends the flows of one run (a flow table, or observations aggregated here); returns the ingest id. */
  async ingest(input: FlowTable | Iterable<Observation>, source: string): Promise<number> {
    const table = input instanceof FlowTable ? input : FlowTable.fromObservations(input);
    const r = await this.con.runAndReadAll('SELECT COALESCE(MAX(id), 0) + 1 AS id FROM ingests');
    const id = Number(r.getRows()[0][0]);
    await this.con.run('INSERT INTO ingests VALUES ($1, $2, $3)', [id, source, BigInt(table.size)]);
    const app = await this.con.createAppender('flows');
    const codes = await this.con.createAppender('flow_codes');
    const big = (n: number) => BigInt(Math.round(Number.isFinite(n) ? n : 0));
    for (const f of table.records()) {
      const [sh, sl] = halves(f.src);
      const [dh, dl] = halves(f.dst);
      app.appendInteger(id);
      app.appendSmallInt(f.family);
      app.appendBigInt(sh);
      app.appendBigInt(sl);
      app.appendBigInt(dh);
      app.appendBigInt(dl);
      app.appendVarchar(f.src);
      app.appendVarchar(f.dst);
      app.appendVarchar(f.transport);
      app.appendInteger(f.dstPort);
      app.appendVarchar(f.protocol);
      app.appendBigInt(big(f.packets - f.packetsBack));
      app.appendBigInt(big(f.bytes - f.bytesBack));
      app.appendBigInt(big(f.packetsBack));
      app.appendBigInt(big(f.bytesBack));
      if (Number.isFinite(f.first)) app.appendBigInt(big(f.first));
      else app.appendNull();
      if (Number.isFinite(f.last)) app.appendBigInt(big(f.last));
      else app.appendNull();
      app.appendBigInt(big(f.connections));
      app.appendBigInt(big(f.fwAllowed));
      app.appendBigInt(big(f.fwDenied));
      app.appendVarchar(f.evidence);
      app.endRow();
      const put = (direction: string, code: number, name: string, n: number) => {
        codes.appendInteger(id);
        codes.appendVarchar(f.src);
        codes.appendVarchar(f.dst);
        codes.appendVarchar(f.transport);
        codes.appendInteger(f.dstPort);
        codes.appendVarchar(direction);
        codes.appendInteger(code);
        codes.appendVarchar(name);
        codes.appendBigInt(big(n));
        codes.endRow();
      };
      for (const [k, n] of Object.entries(f.requestCodes)) put('request', Number(k), '', n);
      for (const [k, n] of Object.entries(f.responseCodes)) put('response', Number(k), '', n);
      for (const [k, n] of Object.entries(f.appCodes)) put('app', -1, k, n);
    }
    app.closeSync();
    codes.closeSync();
    return id;
  }

  /** Every stored flow, summed over all ingests, as observations for the baseline. */
  async loadAll(): Promise<{ observations: Observation[]; ingests: number }> {
    const ing = await this.con.runAndReadAll('SELECT COUNT(*) FROM ingests');
    const ingests = Number(ing.getRows()[0][0]);
    const rows = (
      await this.con.runAndReadAll(`
      SELECT family, src, dst, transport, dst_port, MAX(protocol) AS protocol,
             SUM(packets_out), SUM(bytes_out), SUM(packets_in), SUM(bytes_in),
             MIN(first_us), MAX(last_us), SUM(connections), SUM(fw_allowed), SUM(fw_denied), MIN(evidence)
      FROM flows GROUP BY family, src, dst, transport, dst_port`)
    ).getRows();
    const key = (s: unknown, d: unknown, t: unknown, p: unknown) => `${s}|${d}|${t}|${p}`;
    const byKey = new Map<string, Observation>();
    const obs: Observation[] = [];
    for (const r of rows) {
      const n = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
      const transport = String(r[3]) as Observation['transport'];
      const o: Observation = {
        family: n(r[0]) === 6 ? 6 : 4,
        src: String(r[1]),
        dst: String(r[2]),
        transport,
        ipProto: transport === 'tcp' ? 6 : transport === 'udp' ? 17 : transport === 'icmp' ? 1 : 0,
        srcPort: 0,
        dstPort: n(r[4]),
        protocol: String(r[5]),
        packetsOut: n(r[6]),
        bytesOut: n(r[7]),
        packetsIn: n(r[8]),
        bytesIn: n(r[9]),
        first: n(r[10]),
        last: n(r[11]),
        initiatorBy: 'log',
        requestCodes: {},
        responseCodes: {},
        appCodes: {},
        connections: n(r[12]),
        file: String(r[15]),
      };
      const allowed = n(r[13]);
      const denied = n(r[14]);
      obs.push(o);
      byKey.set(key(o.src, o.dst, o.transport, o.dstPort), o);
      // Firewall outcomes: re-expand into two observations so the counts survive aggregation.
      if (allowed || denied) {
        o.action = denied && !allowed ? 'denied' : 'allowed';
        if (allowed && denied) {
          o.connections = n(r[12]) - denied;
          obs.push({ ...o, packetsOut: 0, bytesOut: 0, packetsIn: 0, bytesIn: 0, connections: denied, action: 'denied', requestCodes: {}, responseCodes: {}, appCodes: {} });
        }
      }
    }
    const codes = (
      await this.con.runAndReadAll(`
      SELECT src, dst, transport, dst_port, direction, code, name, SUM(count)
      FROM flow_codes GROUP BY src, dst, transport, dst_port, direction, code, name`)
    ).getRows();
    for (const c of codes) {
      const o = byKey.get(key(c[0], c[1], c[2], c[3]));
      if (!o) continue;
      const n = Number(c[7]);
      if (c[4] === 'request') o.requestCodes[Number(c[5])] = n;
      else if (c[4] === 'response') o.responseCodes[Number(c[5])] = n;
      else o.appCodes[String(c[6])] = n;
    }
    return { observations: obs, ingests };
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }
}
