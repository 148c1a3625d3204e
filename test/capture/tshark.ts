/** tshark as the independent oracle: per-conversation counts and Modbus function codes. */
import { spawnSync } from 'node:child_process';

export function tsharkSkipReason(): string | false {
  return spawnSync('sh', ['-c', 'command -v tshark']).status === 0 ? false : 'needs tshark (installed by .ci/run)';
}

export interface Conv {
  frames: number;
  /** null when tshark printed a rounded unit (kB, MB) instead of bytes. */
  bytes: number | null;
}

function canon(a: string, b: string): string {
  return a < b ? `${a} <-> ${b}` : `${b} <-> ${a}`;
}

export function convKey(addrA: string, portA: number, addrB: string, portB: number): string {
  const ep = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
  return canon(ep(addrA, portA), ep(addrB, portB));
}

/** `tshark -q -z conv,tcp -z conv,udp` (one run) parsed into canonical keys per transport. */
export function tsharkConversations(file: string): { tcp: Map<string, Conv>; udp: Map<string, Conv> } {
  const r = spawnSync('tshark', ['-n', '-r', file, '-q', '-z', 'conv,tcp', '-z', 'conv,udp'], { encoding: 'utf8' });
  const res = { tcp: new Map<string, Conv>(), udp: new Map<string, Conv>() };
  let out = res.tcp;
  for (const line of r.stdout.split('\n')) {
    if (/^TCP Conversations/.test(line)) out = res.tcp;
    if (/^UDP Conversations/.test(line)) out = res.udp;
    const m = /^(\S+)\s+<->\s+(\S+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const cols = m[3].trim().split(/\s+/);
    // frames bytes unit frames bytes unit frames bytes unit start duration
    const frames = Number(cols[6].replace(/,/g, ''));
    const unit = cols[8];
    const bytes = unit === 'bytes' ? Number(cols[7].replace(/,/g, '')) : null;
    const split = (ep: string) => {
      const i = ep.lastIndexOf(':');
      const addr = ep.slice(0, i).replace(/^\[|\]$/g, '');
      return [addr, Number(ep.slice(i + 1))] as const;
    };
    const [a, pa] = split(m[1]);
    const [b, pb] = split(m[2]);
    out.set(convKey(a, pa, b, pb), { frames, bytes });
  }
  return res;
}

/** `tshark -Y modbus -T fields -e modbus.func_code`: count per function code (all PDUs, both directions). */
export function tsharkModbusCodes(file: string): Map<number, number> {
  const r = spawnSync('tshark', ['-n', '-r', file, '-Y', 'modbus', '-T', 'fields', '-e', 'modbus.func_code'], { encoding: 'utf8' });
  const m = new Map<number, number>();
  for (const line of r.stdout.split('\n')) {
    for (const v of line.split(',')) {
      if (v.trim() === '') continue;
      const c = Number(v);
      m.set(c, (m.get(c) ?? 0) + 1);
    }
  }
  return m;
}

/** `tshark -Y dnp3 -T fields -e dnp3.al.func`: DNP3 application function codes (all frames). */
export function tsharkDnp3Codes(file: string): Record<number, number> {
  const r = spawnSync('tshark', ['-n', '-r', file, '-Y', 'dnp3', '-T', 'fields', '-e', 'dnp3.al.func'], { encoding: 'utf8' });
  const m: Record<number, number> = {};
  for (const v of r.stdout.split('\n').flatMap((l) => l.split(','))) if (v.trim()) m[Number(v)] = (m[Number(v)] ?? 0) + 1;
  return m;
}
