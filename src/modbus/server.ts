/**
 * A small Modbus/TCP server (a simulated PLC for the lab and the tests): 65,536 holding registers and coils
 * that can be read and written, so a write that gets through is observable. Function codes 1, 2, 3, 4, 5, 6,
 * 15, 16; anything else is answered with exception 01. A malformed stream closes the connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  EXCEPTION_ILLEGAL_ADDRESS, EXCEPTION_ILLEGAL_FUNCTION, EXCEPTION_ILLEGAL_VALUE, ModbusStreamParser, buildAdu, exceptionResponse,
  type ModbusFrame,
} from './stream.ts';

export interface ModbusDevice {
  holding: Uint16Array;
  input: Uint16Array;
  coils: Uint8Array;
  /** Every request served, in order (function code, unit id, first address when the PDU has one). */
  requests: { functionCode: number; unitId: number; address?: number }[];
  /** Number of requests that changed state. */
  writes: number;
}

export function createDevice(): ModbusDevice {
  return { holding: new Uint16Array(65536), input: new Uint16Array(65536), coils: new Uint8Array(65536), requests: [], writes: 0 };
}

/** Answers one request ADU; the response ADU (or an exception). Pure apart from the device state. */
export function answer(dev: ModbusDevice, req: ModbusFrame): Buffer {
  const pdu = req.raw.subarray(7);
  const fc = req.functionCode;
  const u16 = (o: number) => (pdu.length >= o + 2 ? pdu.readUInt16BE(o) : -1);
  const address = u16(1);
  if (dev.requests.length < 100000) dev.requests.push({ functionCode: fc, unitId: req.unitId, ...(address >= 0 ? { address } : {}) });
  const reply = (body: Buffer) => buildAdu(req.transactionId, req.unitId, body);
  const exc = (code: number) => exceptionResponse(req, code);
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4: {
      const count = u16(3);
      if (pdu.length !== 5) return exc(EXCEPTION_ILLEGAL_VALUE);
      const bits = fc <= 2;
      if (count < 1 || count > (bits ? 2000 : 125)) return exc(EXCEPTION_ILLEGAL_VALUE);
      if (address + count > 65536) return exc(EXCEPTION_ILLEGAL_ADDRESS);
      if (bits) {
        const n = Math.ceil(count / 8);
        const body = Buffer.alloc(2 + n);
        body[0] = fc;
        body[1] = n;
        for (let k = 0; k < count; k++) if (dev.coils[address + k]) body[2 + (k >> 3)] |= 1 << (k & 7);
        return reply(body);
      }
      const src = fc === 3 ? dev.holding : dev.input;
      const body = Buffer.alloc(2 + 2 * count);
      body[0] = fc;
      body[1] = 2 * count;
      for (let k = 0; k < count; k++) body.writeUInt16BE(src[address + k], 2 + 2 * k);
      return reply(body);
    }
    case 5: {
      const v = u16(3);
      if (pdu.length !== 5 || (v !== 0 && v !== 0xff00)) return exc(EXCEPTION_ILLEGAL_VALUE);
      dev.coils[address] = v ? 1 : 0;
      dev.writes++;
      return reply(Buffer.from(pdu));
    }
    case 6: {
      if (pdu.length !== 5) return exc(EXCEPTION_ILLEGAL_VALUE);
      dev.holding[address] = u16(3);
      dev.writes++;
      return reply(Buffer.from(pdu));
    }
    case 15:
    case 16: {
      const count = u16(3);
      const bytes = pdu.length > 5 ? pdu[5] : -1;
      const expect = fc === 15 ? Math.ceil(count / 8) : count * 2;
      if (count < 1 || count > (fc === 15 ? 1968 : 123) || bytes !== expect || pdu.length !== 6 + bytes) return exc(EXCEPTION_ILLEGAL_VALUE);
      if (address + count > 65536) return exc(EXCEPTION_ILLEGAL_ADDRESS);
      for (let k = 0; k < count; k++) {
        if (fc === 15) dev.coils[address + k] = (pdu[6 + (k >> 3)] >> (k & 7)) & 1;
        else dev.holding[address + k] = pdu.readUInt16BE(6 + 2 * k);
      }
      dev.writes++;
      return reply(Buffer.from(pdu.subarray(0, 5)));
    }
    default:
      return exc(EXCEPTION_ILLEGAL_FUNCTION);
  }
}

export interface ModbusServerHandle {
  server: Server;
  device: ModbusDevice;
}

/** A Modbus/TCP server over `device` (not yet listening: call `server.listen`). */
export function createModbusServer(device: ModbusDevice = createDevice()): ModbusServerHandle {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    const parser = new ModbusStreamParser();
    sock.on('data', (chunk) => {
      const r = parser.push(chunk);
      for (const f of r.frames) sock.write(answer(device, f));
      if (r.error) sock.destroy();
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => sockets.delete(sock));
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  return { server, device };
}
