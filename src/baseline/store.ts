/**
 * Flow store (`--store FILE`): flows from each run are appended to a DuckDB file so captures and logs can be
 * ingested day by day and judged together. Addresses are kept as integers (IPv4 in `*_lo`; IPv6 as two signed
 * 64-bit halves) next to their text; the queries use a portable SQL subset (CREATE TABLE, INSERT, SELECT with
 * GROUP BY, SUM, MIN, MAX, CAST) so a cluster engine can run them later. Rows are appended and read in column
 * chunks (DuckDB's appender and streaming results). One writer process per file.
 */
import { createRequire } from 'node:module';
import type { Observation } from '../capture/observation.ts';
import { CODES_APP, CODES_REQUEST, CODES_RESPONSE, CodeSums, FlowTable } from '../capture/flow-table.ts';
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
type Value = import('@duckdb/node-api').DuckDBValue;

/** Rows per appended chunk (DuckDB's vector size). */
const CHUNK = 2048;
const DIRECTIONS = ['request', 'response', 'app'] as const;

export class FlowStore {
  private constructor(
    private readonly duck: DuckModule,
    private readonly instance: { closeSync(): void },
    private readonly con: Connection,
  ) {}

  static async open(path: string): Promise<FlowStore> {
    // require, not import(): the CLI bundle is a script run with V8's code cache, where import() has no loader.
    const duck = createRequire(import.meta.url)('@duckdb/node-api') as DuckModule;
    const instance = await duck.DuckDBInstance.create(path);
    const con = await instance.connect();
    for (const s of SCHEMA) await con.run(s);
    return new FlowStore(duck, instance, con);
  }

  /**
   * Appends the flows of one run (a flow table, or observations aggregated here); returns the ingest id.
   * Rows go in as column chunks of 2,048 straight from the table's columns (a million flows in seconds).
   */
  async ingest(input: FlowTable | Iterable<Observation>, source: string): Promise<number> {
    const t = input instanceof FlowTable ? input : FlowTable.fromObservations(input);
    const d = this.duck;
    const r = await this.con.runAndReadAll('SELECT COALESCE(MAX(id), 0) + 1 AS id FROM ingests');
    const id = Number(r.getRows()[0][0]);
    await this.con.run('INSERT INTO ingests VALUES ($1, $2, $3)', [id, source, BigInt(t.size)]);
    const big = (n: number) => BigInt(Math.round(Number.isFinite(n) ? n : 0));
    const bigOrNull = (n: number) => (Number.isFinite(n) ? BigInt(Math.round(n)) : null);
    const split = t.addresses.map(halves);
    const family = t.addresses.map((a) => (a.includes(':') ? 6 : 4));
    // One column per entry: name → value of row i.
    const flowColumns: [import('@duckdb/node-api').DuckDBType, (i: number) => Value][] = [
      [d.INTEGER, () => id],
      [d.SMALLINT, (i) => family[t.src[i]]],
      [d.BIGINT, (i) => split[t.src[i]][0]],
      [d.BIGINT, (i) => split[t.src[i]][1]],
      [d.BIGINT, (i) => split[t.dst[i]][0]],
      [d.BIGINT, (i) => split[t.dst[i]][1]],
      [d.VARCHAR, (i) => t.addresses[t.src[i]]],
      [d.VARCHAR, (i) => t.addresses[t.dst[i]]],
      [d.VARCHAR, (i) => t.transportName(i)],
      [d.INTEGER, (i) => t.dstPort[i]],
      [d.VARCHAR, (i) => t.protocolName(i)],
      [d.BIGINT, (i) => big(t.packets[i] - t.packetsBack[i])],
      [d.BIGINT, (i) => big(t.bytes[i] - t.bytesBack[i])],
      [d.BIGINT, (i) => big(t.packetsBack[i])],
      [d.BIGINT, (i) => big(t.bytesBack[i])],
      [d.BIGINT, (i) => bigOrNull(t.first[i])],
      [d.BIGINT, (i) => bigOrNull(t.last[i])],
      [d.BIGINT, (i) => big(t.connections[i])],
      [d.BIGINT, (i) => big(t.fwAllowed?.[i] ?? 0)],
      [d.BIGINT, (i) => big(t.fwDenied?.[i] ?? 0)],
      [d.VARCHAR, (i) => t.strings[t.evidence[i]]],
    ];
    await this.appendRows('flows', flowColumns, t.size);
    // Function codes: one row per (flow, direction, code).
    const codeRows: { r: number; dir: number; code: number; name: string; count: number }[] = [];
    const maps = [t.requestCodes, t.responseCodes, t.appCodes];
    for (let i = 0; i < t.size; i++) {
      for (let dir = 0; dir < 3; dir++) {
        const m = t.maps[maps[dir][i]];
        for (const k in m) codeRows.push(dir === 2 ? { r: i, dir, code: -1, name: k, count: m[k] } : { r: i, dir, code: Number(k), name: '', count: m[k] });
      }
    }
    await this.appendRows(
      'flow_codes',
      [
        [d.INTEGER, () => id],
        [d.VARCHAR, (j) => t.addresses[t.src[codeRows[j].r]]],
        [d.VARCHAR, (j) => t.addresses[t.dst[codeRows[j].r]]],
        [d.VARCHAR, (j) => t.transportName(codeRows[j].r)],
        [d.INTEGER, (j) => t.dstPort[codeRows[j].r]],
        [d.VARCHAR, (j) => DIRECTIONS[codeRows[j].dir]],
        [d.INTEGER, (j) => codeRows[j].code],
        [d.VARCHAR, (j) => codeRows[j].name],
        [d.BIGINT, (j) => big(codeRows[j].count)],
      ],
      codeRows.length,
    );
    return id;
  }

  private async appendRows(table: string, columns: [import('@duckdb/node-api').DuckDBType, (i: number) => Value][], rows: number): Promise<void> {
    const app = await this.con.createAppender(table);
    const chunk = this.duck.DuckDBDataChunk.create(columns.map(([type]) => type), CHUNK);
    const values: Value[][] = columns.map(() => new Array<Value>(CHUNK));
    for (let base = 0; base < rows; base += CHUNK) {
      const n = Math.min(CHUNK, rows - base);
      for (let c = 0; c < columns.length; c++) {
        const v = values[c];
        v.length = n;
        const get = columns[c][1];
        for (let k = 0; k < n; k++) v[k] = get(base + k);
      }
      chunk.rowCount = n;
      for (let c = 0; c < columns.length; c++) chunk.setColumnValues(c, values[c]);
      app.appendDataChunk(chunk);
    }
    app.closeSync();
  }

  /**
   * Every stored flow, summed over all ingests, as a flow table. Read in column chunks (sums cast to DOUBLE
   * so no BigInt is made per value), straight into the table's columns.
   */
  async loadAll(): Promise<{ flows: FlowTable; ingests: number }> {
    const ing = await this.con.runAndReadAll('SELECT COUNT(*) FROM ingests');
    const ingests = Number(ing.getRows()[0][0]);
    const table = new FlowTable();
    const num = (v: Value) => (v === null || v === undefined ? NaN : Number(v));
    await this.readChunks(
      `SELECT src, dst, transport, dst_port, MAX(protocol),
              CAST(SUM(packets_out) AS DOUBLE), CAST(SUM(bytes_out) AS DOUBLE), CAST(SUM(packets_in) AS DOUBLE), CAST(SUM(bytes_in) AS DOUBLE),
              CAST(MIN(first_us) AS DOUBLE), CAST(MAX(last_us) AS DOUBLE), CAST(SUM(connections) AS DOUBLE),
              CAST(SUM(fw_allowed) AS DOUBLE), CAST(SUM(fw_denied) AS DOUBLE), MIN(evidence)
       FROM flows GROUP BY src, dst, transport, dst_port ORDER BY src, dst, transport, dst_port`,
      (col, n) => {
        for (let k = 0; k < n; k++) {
          const r = table.addFlow(String(col[0][k]), String(col[1][k]), String(col[2][k]), num(col[3][k]), String(col[4][k]), String(col[14][k]));
          table.addCounts(r, num(col[5][k]), num(col[6][k]), num(col[7][k]), num(col[8][k]), num(col[9][k]), num(col[10][k]), num(col[11][k]));
          table.addFirewall(r, num(col[12][k]) || 0, num(col[13][k]) || 0);
        }
      },
    );
    const sums = new CodeSums(table);
    // Codes come in the flows' order: a cursor walks the rows instead of a lookup per code (the lookup
    // remains for a row the cursor has passed, should the two orders ever differ).
    let cursor = 0;
    const cmpKey = (r: number, src: string, dst: string, transport: string, port: number) => {
      const a = table.addresses[table.src[r]];
      if (a !== src) return a < src ? -1 : 1;
      const b = table.addresses[table.dst[r]];
      if (b !== dst) return b < dst ? -1 : 1;
      const t = table.transportName(r);
      if (t !== transport) return t < transport ? -1 : 1;
      return table.dstPort[r] - port;
    };
    await this.readChunks(
      `SELECT src, dst, transport, dst_port, direction, code, name, CAST(SUM(count) AS DOUBLE)
       FROM flow_codes GROUP BY src, dst, transport, dst_port, direction, code, name ORDER BY src, dst, transport, dst_port`,
      (col, n) => {
        for (let k = 0; k < n; k++) {
          const src = String(col[0][k]);
          const dst = String(col[1][k]);
          const transport = String(col[2][k]);
          const port = num(col[3][k]);
          while (cursor < table.size && cmpKey(cursor, src, dst, transport, port) < 0) cursor++;
          const r = cursor < table.size && cmpKey(cursor, src, dst, transport, port) === 0 ? cursor : table.findFlow(src, dst, transport, port);
          if (r < 0) continue;
          const dir = col[4][k];
          const count = num(col[7][k]);
          if (dir === 'request') sums.add(CODES_REQUEST, r, num(col[5][k]), count);
          else if (dir === 'response') sums.add(CODES_RESPONSE, r, num(col[5][k]), count);
          else sums.add(CODES_APP, r, String(col[6][k]), count);
        }
      },
    );
    sums.finish();
    return { flows: table, ingests };
  }

  private async readChunks(sql: string, onChunk: (columns: Value[][], rows: number) => void): Promise<void> {
    const result = await this.con.stream(sql);
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const columns: Value[][] = [];
      for (let c = 0; c < chunk.columnCount; c++) columns.push(chunk.getColumnValues(c));
      onChunk(columns, chunk.rowCount);
    }
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }
}
