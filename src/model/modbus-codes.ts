/** Modbus function codes: names and whether they can change device state. Shared by rules, capture, filter, probe and targets. */
export const MODBUS_FUNCTIONS: Readonly<Record<number, { name: string; write: boolean }>> = {
  1: { name: 'read-coils', write: false },
  2: { name: 'read-discrete-inputs', write: false },
  3: { name: 'read-holding-registers', write: false },
  4: { name: 'read-input-registers', write: false },
  5: { name: 'write-single-coil', write: true },
  6: { name: 'write-single-register', write: true },
  7: { name: 'read-exception-status', write: false },
  8: { name: 'diagnostics', write: true },
  11: { name: 'get-comm-event-counter', write: false },
  12: { name: 'get-comm-event-log', write: false },
  15: { name: 'write-multiple-coils', write: true },
  16: { name: 'write-multiple-registers', write: true },
  17: { name: 'report-server-id', write: false },
  20: { name: 'read-file-record', write: false },
  21: { name: 'write-file-record', write: true },
  22: { name: 'mask-write-register', write: true },
  23: { name: 'read-write-multiple-registers', write: true },
  24: { name: 'read-fifo-queue', write: false },
  43: { name: 'encapsulated-interface-transport', write: false },
};

/** Function codes that only read data. */
export const MODBUS_READ_CODES: readonly number[] = Object.entries(MODBUS_FUNCTIONS)
  .filter(([, v]) => !v.write)
  .map(([k]) => Number(k));

export function modbusFunctionName(code: number): string {
  const base = code & 0x7f;
  const name = MODBUS_FUNCTIONS[base]?.name ?? `function-${base}`;
  return code & 0x80 ? `${name} (exception)` : name;
}

/** Unknown codes count as writes: a filter must fail closed. */
export function isModbusWrite(code: number): boolean {
  return MODBUS_FUNCTIONS[code & 0x7f]?.write ?? true;
}
