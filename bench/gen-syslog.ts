/**
 * A large firewall syslog for the log-reading benchmark: ASA/ISA-3000 access-list records (%ASA-6-106100) in
 * the shape of the corpus samples, `--lines N` of them over `--flows M` distinct flows between the example
 * plant's zones (enterprise hosts to controllers, level 3 to level 2, some denied), as a monitor-only firewall
 * would log them for weeks.
 *
 *   node --import tsx bench/gen-syslog.ts OUT.log --lines 10000000 --flows 200000
 */
import { openSync, writeSync, closeSync } from 'node:fs';

export function generateSyslog(out: string, lines: number, flows: number): number {
  const fd = openSync(out, 'w');
  let bytes = 0;
  let buf = '';
  for (let i = 0; i < lines; i++) {
    const f = i % flows;
    const src = `10.${f % 3 === 0 ? 40 : 30}.${(f >> 8) & 255}.${f & 255}`;
    const dst = `10.20.1.${10 + (f % 16)}`;
    const port = f % 5 === 0 ? 3389 : 502;
    const verb = f % 7 === 0 ? 'denied' : 'permitted';
    const sec = i % 60;
    buf += `May  5 19:${String((i >> 6) % 60).padStart(2, '0')}:${String(sec).padStart(2, '0')} fw01: %ASA-6-106100: access-list OPS-to-BPCS ${verb} tcp ops/${src}(${40000 + (i % 20000)}) -> bpcs/${dst}(${port}) hit-cnt 1 first hit [0x38ff326b, 0x00000000]\n`;
    if (buf.length > 1 << 20) {
      bytes += writeSync(fd, buf);
      buf = '';
    }
  }
  bytes += writeSync(fd, buf);
  closeSync(fd);
  return bytes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
  const out = args[0];
  const t = performance.now();
  const n = generateSyslog(out, Number(opt('--lines', '10000000')), Number(opt('--flows', '200000')));
  process.stdout.write(`${out}: ${n} bytes in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}
