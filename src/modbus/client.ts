/** A minimal Modbus/TCP client (one request at a time) for the prober and the tests. */
import { connect, type Socket } from 'node:net';
import { ModbusStreamParser, buildAdu, type ModbusFrame } from './stream.ts';

export type ModbusReply =
  | { kind: 'ok'; frame: ModbusFrame }
  | { kind: 'exception'; code: number; frame: ModbusFrame }
  | { kind: 'closed'; detail: string }
  | { kind: 'timeout' };

export interface ModbusClientOptions {
  host: string;
  port: number;
  localAddress?: string;
  timeoutMs?: number;
}

export class ModbusClient {
  private sock?: Socket;
  private readonly parser = new ModbusStreamParser();
  private tid = 0;
  private waiting?: (r: ModbusReply) => void;
  private closedDetail?: string;

  constructor(private readonly opts: ModbusClientOptions) {}

  /** Resolves once connected; rejects with the socket error (ECONNREFUSED, timeout, …). */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: this.opts.host, port: this.opts.port, localAddress: this.opts.localAddress });
      this.sock = s;
      // Yield to pending I/O before giving up, so a stalled event loop does not turn an answer into a timeout.
      const t = setTimeout(() => setImmediate(() => {
        if (s.connecting) {
          s.destroy();
          reject(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
        }
      }), this.opts.timeoutMs ?? 2000);
      s.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
      s.on('error', (e) => {
        clearTimeout(t);
        this.closedDetail = (e as NodeJS.ErrnoException).code ?? e.message;
        reject(e);
      });
      s.on('data', (chunk) => {
        const r = this.parser.push(chunk);
        for (const f of r.frames) this.settle(f.functionCode & 0x80 ? { kind: 'exception', code: f.raw[8], frame: f } : { kind: 'ok', frame: f });
        if (r.error) s.destroy();
      });
      s.on('close', () => this.settle({ kind: 'closed', detail: this.closedDetail ?? 'connection closed by peer' }));
    });
  }

  private settle(r: ModbusReply): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.(r);
  }

  request(unitId: number, pdu: Uint8Array): Promise<ModbusReply> {
    const s = this.sock;
    if (!s || s.destroyed) return Promise.resolve({ kind: 'closed', detail: this.closedDetail ?? 'not connected' });
    return new Promise((resolve) => {
      let settled = false;
      const finish = (r: ModbusReply) => {
        if (settled) return;
        settled = true;
        clearTimeout(t);
        if (this.waiting === finish) this.waiting = undefined;
        resolve(r);
      };
      const t = setTimeout(() => setImmediate(() => finish({ kind: 'timeout' })), this.opts.timeoutMs ?? 2000);
      this.waiting = finish;
      this.tid = (this.tid + 1) & 0xffff;
      s.write(buildAdu(this.tid, unitId, pdu));
    });
  }

  readHolding(unitId: number, address: number, count: number): Promise<ModbusReply> {
    const p = Buffer.alloc(5);
    p[0] = 3;
    p.writeUInt16BE(address, 1);
    p.writeUInt16BE(count, 3);
    return this.request(unitId, p);
  }

  writeSingle(unitId: number, address: number, value: number): Promise<ModbusReply> {
    const p = Buffer.alloc(5);
    p[0] = 6;
    p.writeUInt16BE(address, 1);
    p.writeUInt16BE(value, 3);
    return this.request(unitId, p);
  }

  close(): void {
    this.sock?.destroy();
  }
}

/** Register values of a FC 3/4 response. */
export function registerValues(frame: ModbusFrame): number[] {
  const n = frame.raw[8] / 2;
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(frame.raw.readUInt16BE(9 + 2 * k));
  return out;
}
