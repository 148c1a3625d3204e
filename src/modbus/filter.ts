/**
 * The enforcing Modbus/TCP filter: a TCP proxy that parses the client's byte stream into ADUs and forwards
 * only requests whose function code is allowed; any other request is answered by the filter itself with
 * exception 01 (illegal function) and never reaches the device. Responses from the device are parsed too
 * and must answer an outstanding forwarded request. Anything that cannot be parsed — a bad MBAP header in
 * either direction, an unsolicited response, too many outstanding requests — closes both connections
 * (fail closed). Every decision is reported through `log` as one plain object (the CLI writes JSON lines).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { modbusFunctionName } from './codes.ts';
import { EXCEPTION_ILLEGAL_FUNCTION, ModbusStreamParser, exceptionResponse, type ModbusFrame } from './stream.ts';

export interface FilterDecision {
  /** Connection number, counting from 1 per filter. */
  conn: number;
  client: string;
  upstream: string;
  decision: 'forward' | 'reject' | 'close';
  transaction?: number;
  unit?: number;
  function_code?: number;
  function?: string;
  /** Stream offset (client→filter, or device→filter for responses) of the ADU or the bad byte. */
  offset?: number;
  reason: string;
}

export interface FilterOptions {
  upstreamHost: string;
  upstreamPort: number;
  /** Function codes that are forwarded; everything else is rejected. */
  allow: ReadonlySet<number>;
  log?: (d: FilterDecision) => void;
  /** Requests forwarded and not yet answered, per connection; more closes the connection. Default 64. */
  maxOutstanding?: number;
  /** Source address for upstream connections. */
  localAddress?: string;
  connectTimeoutMs?: number;
}

interface Pending {
  transactionId: number;
  /** Set for a request the filter answers itself (waits for earlier forwarded ones, to keep order). */
  local?: Buffer;
}

export interface ModbusFilter {
  server: Server;
  /** Counts since start. */
  stats: { connections: number; forwarded: number; rejected: number; closed: number };
}

export function createModbusFilter(opts: FilterOptions): ModbusFilter {
  const stats = { connections: 0, forwarded: 0, rejected: 0, closed: 0 };
  const maxOutstanding = opts.maxOutstanding ?? 64;
  const upstreamText = `${opts.upstreamHost}:${opts.upstreamPort}`;
  const open = new Set<Socket>();
  const server = createServer({ pauseOnConnect: true }, (client) => {
    const conn = ++stats.connections;
    const clientText = `${client.remoteAddress}:${client.remotePort}`;
    const log = (d: Omit<FilterDecision, 'conn' | 'client' | 'upstream'>) => opts.log?.({ conn, client: clientText, upstream: upstreamText, ...d });
    const up = connect({ host: opts.upstreamHost, port: opts.upstreamPort, localAddress: opts.localAddress });
    open.add(client);
    open.add(up);
    const req = new ModbusStreamParser();
    const resp = new ModbusStreamParser();
    const pending: Pending[] = [];
    let done = false;
    const close = (reason: string, offset?: number, frame?: ModbusFrame) => {
      if (done) return;
      done = true;
      stats.closed++;
      log({ decision: 'close', reason, ...(offset !== undefined ? { offset } : {}), ...(frame ? frameFields(frame) : {}) });
      client.destroy();
      up.destroy();
    };
    const flushLocal = () => {
      while (pending.length && pending[0].local) client.write(pending.shift()!.local!);
    };
    const connectTimer = setTimeout(() => close(`upstream ${upstreamText} did not accept the connection in time`), opts.connectTimeoutMs ?? 5000);
    up.once('connect', () => {
      clearTimeout(connectTimer);
      client.resume();
    });
    client.on('data', (chunk) => {
      if (done) return;
      const r = req.push(chunk);
      for (const f of r.frames) {
        if (opts.allow.has(f.functionCode)) {
          if (pending.filter((p) => !p.local).length >= maxOutstanding) return close(`more than ${maxOutstanding} requests outstanding`, f.offset, f);
          pending.push({ transactionId: f.transactionId });
          stats.forwarded++;
          log({ decision: 'forward', ...frameFields(f), offset: f.offset, reason: 'function code allowed' });
          up.write(f.raw);
        } else {
          if (pending.length >= maxOutstanding * 4) return close('too many requests waiting for an answer', f.offset, f);
          pending.push({ transactionId: f.transactionId, local: exceptionResponse(f, EXCEPTION_ILLEGAL_FUNCTION) });
          stats.rejected++;
          log({ decision: 'reject', ...frameFields(f), offset: f.offset, reason: 'function code not allowed: answered with exception 01 (illegal function)' });
          flushLocal();
        }
      }
      if (r.error) close(`malformed request stream: ${r.error.message}`, r.error.offset);
    });
    up.on('data', (chunk) => {
      if (done) return;
      const r = resp.push(chunk);
      for (const f of r.frames) {
        const k = pending.findIndex((p) => !p.local && p.transactionId === f.transactionId);
        if (k < 0) return close(`unsolicited response from ${upstreamText} (transaction ${f.transactionId})`, f.offset, f);
        pending.splice(k, 1);
        client.write(f.raw);
        flushLocal();
      }
      if (r.error) close(`malformed response stream from ${upstreamText}: ${r.error.message}`, r.error.offset);
    });
    client.on('end', () => {
      if (!done) up.end();
    });
    up.on('end', () => {
      if (!done) client.end();
    });
    client.on('error', () => close('client connection error'));
    up.on('error', (e) => close(`upstream ${upstreamText}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    client.on('close', () => {
      clearTimeout(connectTimer);
      open.delete(client);
      up.destroy();
    });
    up.on('close', () => {
      open.delete(up);
      if (!client.destroyed) client.end();
    });
  });
  server.on('close', () => {
    for (const s of open) s.destroy();
  });
  return { server, stats };
}

function frameFields(f: ModbusFrame) {
  return { transaction: f.transactionId, unit: f.unitId, function_code: f.functionCode, function: modbusFunctionName(f.functionCode) };
}

/** Parses `3,4` or `1-4,16` into function codes 1..127; an error message otherwise. */
export function parseFunctionCodes(text: string): { codes: number[] } | { error: string } {
  const out = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part);
    if (!m) return { error: `"${part}" is not a function code or range (expected e.g. 3,4 or 1-4)` };
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    if (lo < 1 || hi > 127 || lo > hi) return { error: `"${part}": function codes are 1..127` };
    for (let c = lo; c <= hi; c++) out.add(c);
  }
  return { codes: [...out].sort((a, b) => a - b) };
}
