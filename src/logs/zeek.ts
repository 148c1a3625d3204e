/**
 * Zeek logs: conn.log and modbus.log (also dnp3.log), as TSV with `#fields` headers (Zeek's default writer)
 * or JSON lines (LogAscii::use_json). Masked timestamps (Zeek test canonicalisation) read as unknown times.
 */
import { MODBUS_FUNCTIONS } from '../modbus/codes.ts';
import { newParse, skip, ipText, transportOf, observation, type LogParse } from './common.ts';

/** Zeek's Modbus function names → codes (Zeek spells some differently from src/modbus/codes.ts). */
const ZEEK_MODBUS: Record<string, number> = (() => {
  const m: Record<string, number> = {};
  for (const [code, v] of Object.entries(MODBUS_FUNCTIONS)) m[v.name.toUpperCase().replace(/-/g, '_')] = Number(code);
  m.REPORT_SLAVE_ID = 17;
  m.ENCAP_INTERFACE_TRANSPORT = 43;
  m.READ_WRITE_MULTIPLE_REGISTERS = 23;
  return m;
})();

const DNP3_NAMES: Record<string, number> = {
  CONFIRM: 0, READ: 1, WRITE: 2, SELECT: 3, OPERATE: 4, DIRECT_OPERATE: 5, DIRECT_OPERATE_NR: 6, IMMED_FREEZE: 7, IMMED_FREEZE_NR: 8,
  FREEZE_CLEAR: 9, FREEZE_CLEAR_NR: 10, FREEZE_AT_TIME: 11, FREEZE_AT_TIME_NR: 12, COLD_RESTART: 13, WARM_RESTART: 14, INITIALIZE_DATA: 15,
  INITIALIZE_APPL: 16, START_APPL: 17, STOP_APPL: 18, SAVE_CONFIG: 19, ENABLE_UNSOLICITED: 20, DISABLE_UNSOLICITED: 21, ASSIGN_CLASS: 22,
  DELAY_MEASURE: 23, RECORD_CURRENT_TIME: 24, OPEN_FILE: 25, CLOSE_FILE: 26, DELETE_FILE: 27, GET_FILE_INFO: 28, AUTHENTICATE_FILE: 29,
  ABORT_FILE: 30, ACTIVATE_CONFIG: 31, AUTHENTICATE_REQ: 32, AUTHENTICATE_ERR: 33,
  RESPONSE: 129, UNSOLICITED_RESPONSE: 130, AUTHENTICATE_RESP: 131,
};

type Row = Record<string, string | number | boolean | null | undefined>;

function num(v: Row[string]): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) return Number(v);
  return NaN;
}

function handleRow(p: LogParse, file: string, line: number, r: Row, path: string, unset: string): void {
  const get = (k: string) => {
    const v = r[k];
    return v === unset || v === undefined || v === null ? undefined : v;
  };
  const src = ipText(String(get('id.orig_h') ?? ''));
  const dst = ipText(String(get('id.resp_h') ?? ''));
  if (!src || !dst) return skip(p, 'record without readable id.orig_h / id.resp_h', line);
  const sport = num(get('id.orig_p'));
  const dport = num(get('id.resp_p'));
  const rawTs = get('ts');
  // Epoch seconds (TSV, JSON default) or ISO 8601 (LogAscii::json_timestamps = JSON::TS_ISO8601).
  const ts = typeof rawTs === 'string' && /^\d{4}-\d\d-\d\dT/.test(rawTs) ? Date.parse(rawTs) / 1000 : num(rawTs);
  const dur = num(get('duration'));
  if (path === 'conn') {
    const proto = transportOf(String(get('proto') ?? 'tcp'));
    const o = observation(file, line, src, dst, proto, sport || 0, dport || 0);
    const svc = String(get('service') ?? '');
    o.protocol = svc ? svc.split(',')[0].replace(/^ssl$/, 'tls') : 'unknown';
    if (o.protocol === 'tls' && o.dstPort === 443) o.protocol = 'https';
    o.packetsOut = num(get('orig_pkts')) || 0;
    o.packetsIn = num(get('resp_pkts')) || 0;
    o.bytesOut = num(get('orig_ip_bytes')) || 0;
    o.bytesIn = num(get('resp_ip_bytes')) || 0;
    o.first = Number.isNaN(ts) ? NaN : ts * 1e6;
    o.last = Number.isNaN(ts) ? NaN : (ts + (Number.isNaN(dur) ? 0 : dur)) * 1e6;
    o.initiatorBy = 'log';
    p.observations.push(o);
    p.used++;
    return;
  }
  if (path === 'modbus' || path === 'dnp3') {
    const o = observation(file, line, src, dst, transportOf('tcp'), sport || 0, dport || 0);
    if (path === 'dnp3' && dport !== 20000 && sport !== 20000 && (get('proto') === 'udp')) o.transport = 'udp';
    o.protocol = path;
    o.connections = 0; // the conn.log record counts the connection
    o.first = o.last = Number.isNaN(ts) ? NaN : ts * 1e6;
    let name = String(get(path === 'modbus' ? 'func' : 'fc_request') ?? '');
    let isReq = true;
    if (path === 'modbus') {
      const pdu = get('pdu_type');
      const isOrig = get('is_orig');
      if (pdu !== undefined) isReq = pdu === 'REQ';
      else if (isOrig !== undefined) isReq = isOrig === 'T' || isOrig === true;
      const exc = get('exception');
      const code = ZEEK_MODBUS[name] ?? (/^(?:unknown-)?\d+$/.test(name) ? Number(name.replace('unknown-', '')) & 0x7f : undefined);
      if (code === undefined) return skip(p, `modbus record with an unknown function name "${name}"`, line);
      const c = exc !== undefined && !isReq ? code | 0x80 : code;
      const m = isReq ? o.requestCodes : o.responseCodes;
      m[c] = (m[c] ?? 0) + 1;
    } else {
      if (!name) name = String(get('fc_reply') ?? '');
      const code = DNP3_NAMES[name];
      if (code === undefined) return skip(p, `dnp3 record with an unknown function name "${name}"`, line);
      if (get('fc_request') !== undefined) o.requestCodes[code] = 1;
      else o.responseCodes[code] = 1;
    }
    p.observations.push(o);
    p.used++;
    return;
  }
  skip(p, `Zeek ${path || 'unknown'}.log records (only conn, modbus and dnp3 are read)`, line);
}

/** Zeek log lines fed one at a time (TSV headers and JSON lines); state: the current #fields header. */
export class ZeekLines {
  private fields: string[] | undefined;
  private sep = '\t';
  private unset = '-';
  private path = '';

  constructor(
    private readonly p: LogParse,
    private readonly file: string,
  ) {}

  line(text: string, ln: number): void {
    const p = this.p;
    const raw = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (raw === '') return;
    if (raw.startsWith('{')) {
      let r: Row;
      try {
        r = JSON.parse(raw) as Row;
      } catch {
        skip(p, 'JSON lines that do not parse', ln);
        return;
      }
      const jp = r._path ? String(r._path) : 'uid' in r && ('proto' in r || 'conn_state' in r) ? 'conn' : 'func' in r ? 'modbus' : 'fc_request' in r ? 'dnp3' : 'conn';
      handleRow(p, this.file, ln, r, jp, '\u0000');
      return;
    }
    if (raw.startsWith('#')) {
      if (raw.startsWith('#separator')) {
        const s = raw.slice('#separator'.length).trim();
        this.sep = s.replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))) || '\t';
      } else if (raw.startsWith('#fields')) this.fields = raw.split(this.sep).slice(1);
      else if (raw.startsWith('#unset_field')) this.unset = raw.split(this.sep)[1] ?? '-';
      else if (raw.startsWith('#path')) this.path = raw.split(this.sep)[1] ?? '';
      return;
    }
    const fields = this.fields;
    if (!fields) {
      skip(p, 'data lines before a #fields header', ln);
      return;
    }
    const cols = raw.split(this.sep);
    const r: Row = {};
    fields.forEach((f, k) => (r[f] = cols[k]));
    handleRow(p, this.file, ln, r, this.path || (fields.includes('func') ? 'modbus' : fields.includes('fc_request') ? 'dnp3' : 'conn'), this.unset);
  }
}

export function parseZeek(text: string, file: string): LogParse {
  const p = newParse();
  const z = new ZeekLines(p, file);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) z.line(lines[i], i + 1);
  return p;
}
