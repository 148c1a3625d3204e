/** `otzones baseline MODEL INPUT…`: captures, Zeek logs and firewall syslog classified against the conduits. */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { compilePolicy } from '../policy/ir.ts';
import { BIG_TABLE, fileHead, readCaptures, PacketDecoder, type CaptureResult } from '../capture/index.ts';
import { sniffContainer } from '../capture/reader.ts';
import { prestartWorkers, readCapturesParallel, stopIdleWorkers } from '../capture/pool.ts';
import { FlowTable } from '../capture/flow-table.ts';
import { streamLogFile, detectLogKind, INPUT_KIND_UNKNOWN } from '../logs/index.ts';
import { runBaseline } from '../baseline/index.ts';
import { baselineJsonChunks, baselineSarifChunks, formatBaselineText, humanBytes } from '../baseline/format.ts';
import { FlowStore } from '../baseline/store.ts';
import { gunzipSync, constants as zc } from 'node:zlib';
import { Readable } from 'node:stream';
import { loadModelForCommand } from './common.ts';
import { UsageError, collectGarbage, parseFormat, writeChunks, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

interface Opts {
  format: string;
  store?: string;
  progress?: boolean;
  jobs: string;
  top: string;
  propose?: string;
}

type Kind = 'capture' | 'zeek' | 'syslog' | 'unknown';

/** The input name that means standard input. */
const STDIN = '-';
/** After Ctrl-C, how long standard input may still deliver what the capturing tool flushes as it exits. */
const STDIN_GRACE_MS = 2000;

/**
 * When to stop reading standard input early. Ctrl-C in a shell interrupts the capturing tool too, which then
 * writes out what it holds and closes the pipe: so the first Ctrl-C keeps reading until the pipe closes, for at
 * most STDIN_GRACE_MS, and a second one stops at once. `io.signal` (tests) stops at once.
 */
function stdinStop(io: CliIO, progress: Progress): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  let grace: NodeJS.Timeout | undefined;
  const interrupt = () => {
    if (grace) return stop.abort();
    grace = setTimeout(() => stop.abort(), STDIN_GRACE_MS);
    progress.phase(`interrupted: reading what the capture still sends until it closes (at most ${STDIN_GRACE_MS / 1000} s; Ctrl-C again stops now)`);
  };
  const abort = () => stop.abort();
  process.on('SIGINT', interrupt);
  io.signal?.addEventListener('abort', abort, { once: true });
  progress.phase('reading the capture on standard input until it ends (Ctrl-C: stop and report what was read)');
  return {
    signal: stop.signal,
    dispose() {
      process.off('SIGINT', interrupt);
      io.signal?.removeEventListener('abort', abort);
      clearTimeout(grace);
    },
  };
}

function toReadable(s: NodeJS.ReadableStream): Readable {
  return s instanceof Readable ? s : new Readable().wrap(s);
}

function inputKind(path: string): Kind {
  let head = fileHead(path, 64 * 1024);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      head = gunzipSync(head, { finishFlush: zc.Z_SYNC_FLUSH });
    } catch {
      return 'capture'; // corrupt gzip: the capture reader reports where it stops
    }
  }
  const c = sniffContainer(head);
  if (c === 'pcap' || c === 'pcapng') return 'capture';
  return detectLogKind(head.toString('utf8')) ?? 'unknown';
}

class Progress {
  private last = 0;
  private started = Date.now();
  private bar?: import('cli-progress').SingleBar;
  constructor(
    private readonly io: CliIO,
    private readonly enabled: boolean,
    private readonly total: number,
  ) {}

  async start(): Promise<void> {
    // Nothing to measure against (only a capture on standard input): the line form, without a percentage.
    if (!this.enabled || !this.io.stderr.isTTY || this.total === 0) return;
    const { SingleBar, Presets } = (await import('cli-progress')).default;
    this.bar = new SingleBar(
      {
        format: 'baseline |{bar}| {percentage}% {done}/{all} {pps} pkt/s ETA {eta}s',
        stream: this.io.stderr as unknown as NodeJS.WritableStream,
        hideCursor: true,
        clearOnComplete: true,
      },
      Presets.shades_classic,
    );
    this.bar.start(this.total, 0, { done: '0 B', all: humanBytes(this.total), pps: 0 });
  }

  async update(done: number, packets: number): Promise<void> {
    if (!this.enabled) return;
    const secs = (Date.now() - this.started) / 1000;
    const pps = secs > 0 ? Math.round(packets / secs) : 0;
    if (this.bar) {
      this.bar.update(done, { done: humanBytes(done), all: humanBytes(this.total), pps });
      await new Promise((r) => setImmediate(r)); // let the bar redraw
      return;
    }
    const now = Date.now();
    if (now - this.last < 1000 && done !== this.total) return;
    this.last = now;
    if (done > this.total) {
      // More than the files' sizes: standard input is being read, whose size nobody knows.
      this.io.stderr.write(`baseline: ${humanBytes(done)} read, ${pps} packets/s\n`);
      return;
    }
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? Math.max(0, Math.round((this.total - done) / rate)) : 0;
    const pct = this.total ? Math.floor((100 * done) / this.total) : 100;
    this.io.stderr.write(`baseline: ${humanBytes(done)} of ${humanBytes(this.total)} (${pct}%), ${pps} packets/s, ETA ${eta} s\n`);
  }

  stop(): void {
    this.bar?.stop();
  }

  /** One line for a phase without a byte count (storing, reading the store back), when progress is shown. */
  phase(text: string): void {
    if (this.enabled) this.io.stderr.write(`baseline: ${text}\n`);
  }
}

export function registerBaseline(program: Command, io: CliIO, state: CommandState): void {
  program
    .command('baseline')
    .description('classify observed traffic (pcap/pcapng captures, Zeek logs, firewall syslog) against the zones and conduits')
    .argument('<model>', 'model file (YAML)')
    .argument('[inputs...]', 'captures (.pcap, .pcapng, also .gz; - for a capture on standard input), Zeek conn/modbus/dnp3 logs, ASA/FortiGate/netfilter syslog; kind detected by content')
    .option('--format <format>', 'text, json or sarif', 'text')
    .option('--store <file>', 'append the flows to this DuckDB file and report on everything stored so far')
    .option('--progress', 'show progress on stderr (default when stderr is a terminal)')
    .option('--jobs <n>', 'worker threads for several capture files (0 = one per core)', '1')
    .option('--top <n>', 'text format: violations and devices listed', '20')
    .option('--propose <file>', 'also write the proposed conduit flows (YAML) to FILE')
    .addHelpText(
      'after',
      `
Exit status: 0 no violations, 1 violations found, 2 unusable input (a clear message names the file and byte offset or line).
Examples:
  otzones baseline examples/refinery-unit3.yaml plant-week1.pcapng
  otzones baseline plant.yaml day*.pcap.gz --jobs 0 --format json > baseline.json
  otzones baseline plant.yaml conn.log modbus.log asa-syslog.log
  otzones baseline plant.yaml monday.pcap --store plant.duckdb   # then tuesday.pcap --store plant.duckdb
  tcpdump -i eth1 -w - 'not port 22' | otzones baseline plant.yaml -   # live: Ctrl-C reports what was seen`,
    )
    .action(async (file: string, inputs: string[], opts: Opts) => {
      try {
        await baselineAction(file, inputs, opts, io, state);
      } finally {
        stopIdleWorkers();
      }
    });
}

async function baselineAction(file: string, inputs: string[], opts: Opts, io: CliIO, state: CommandState): Promise<void> {
  const format = parseFormat(opts.format);
  const jobsRaw = Number(opts.jobs);
  if (!Number.isInteger(jobsRaw) || jobsRaw < 0) throw new UsageError(`--jobs must be a whole number ≥ 0 (got "${opts.jobs}")`);
  const jobs = jobsRaw === 0 ? availableParallelism() : jobsRaw;
  const top = Number(opts.top);
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top must be a whole number ≥ 1 (got "${opts.top}")`);
  if (inputs.length === 0 && !opts.store) throw new UsageError('give at least one capture or log file (or --store FILE to report on stored flows)');
  // Capture workers start now, so their start-up overlaps loading the model (they end if unused).
  if (jobs > 1 && inputs.length > 1) prestartWorkers(Math.min(jobs, inputs.length) - 1);
  const loaded = loadModelForCommand(file, io);
  const ir = compilePolicy(loaded.model, loaded.locate);

  const kinds = new Map<string, Kind>();
  const sizes = new Map<string, number>();
  let total = 0;
  if (inputs.filter((i) => i === STDIN).length > 1) throw new UsageError('standard input (-) can be read once');
  for (const input of inputs) {
    if (input === STDIN) {
      if (!io.stdin) throw new UsageError('-: no standard input to read here');
      if (io.stdin.isTTY) throw new UsageError('-: standard input is a terminal; pipe a capture into it, e.g. tcpdump -i eth0 -w - | otzones baseline plant.yaml -');
      kinds.set(input, 'capture');
      sizes.set(input, 0);
      continue;
    }
    const path = resolve(io.cwd, input);
    if (!existsSync(path)) throw new UsageError(`${input}: no such file`);
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`${input}: not a regular file`);
    total += st.size;
    sizes.set(input, st.size);
    kinds.set(input, st.size === 0 ? 'unknown' : inputKind(path));
  }
  const diagnostics: Diagnostic[] = [];
  let flows = new FlowTable();
  const captures = inputs.filter((i) => kinds.get(i) === 'capture');
  const progress = new Progress(io, opts.progress ?? !!io.stderr.isTTY, total);
  await progress.start();
  let decode: Record<string, number> = {};
  if (captures.length) {
    let r: CaptureResult;
    if (jobs > 1 && captures.length > 1 && !captures.includes(STDIN)) {
      let done = 0;
      let pk = 0;
      r = await readCapturesParallel(
        captures.map((c) => ({ path: resolve(io.cwd, c), name: c })),
        jobs,
        (_name, bytesRead, packets) => {
          done += bytesRead;
          pk += packets;
          void progress.update(done, pk);
        },
      );
    } else {
      const dec = new PacketDecoder();
      let before = 0;
      let current = '';
      // A live capture on standard input is read until it ends, or until Ctrl-C: then what was read is reported.
      const stdin = captures.includes(STDIN) ? new Map([[resolve(io.cwd, STDIN), toReadable(io.stdin!)]]) : undefined;
      const stop = stdin ? stdinStop(io, progress) : undefined;
      r = await readCaptures(
        captures.map((c) => resolve(io.cwd, c)),
        {
          decoder: dec,
          streams: stdin,
          stop: stop?.signal,
          collectGarbage,
          displayName: (p) => captures.find((c) => resolve(io.cwd, c) === p) ?? p,
          progress: (name, d) => {
            if (name !== current) {
              if (current) before += sizes.get(current) ?? 0;
              current = name;
            }
            return progress.update(before + d, dec.stats.packets);
          },
        },
      ).finally(() => stop?.dispose());
    }
    flows = r.flows;
    if (flows.size >= BIG_TABLE) collectGarbage();
    diagnostics.push(...r.diagnostics);
    decode = { ...(r.stats as unknown as Record<string, number>) };
  }
  for (const input of inputs) {
    const k = kinds.get(input);
    if (k === 'zeek' || k === 'syslog') {
      const r = await streamLogFile(resolve(io.cwd, input), input, k, (o) => flows.addObservation(o));
      diagnostics.push(...r.diagnostics);
    } else if (k === 'unknown') {
      diagnostics.push({
        code: INPUT_KIND_UNKNOWN.code,
        severity: 'error',
        message: `${input}: byte offset 0: not a pcap/pcapng capture, a Zeek log or firewall syslog the baseline reads${statSync(resolve(io.cwd, input)).size === 0 ? ' (the file is empty)' : ''}`,
        file: input,
        offset: 0,
        ids: [],
      });
    }
  }
  progress.stop();
  stopIdleWorkers();

  let stored: FlowTable | undefined;
  let inputCount = inputs.length;
  if (opts.store) {
    let store: FlowStore;
    try {
      store = await FlowStore.open(resolve(io.cwd, opts.store));
    } catch (e) {
      throw new UsageError(`${opts.store}: cannot open the flow store: ${(e as Error).message}`);
    }
    try {
      if (flows.size) {
        progress.phase(`storing ${flows.size.toLocaleString('en-US')} flow(s) in ${opts.store}`);
        await store.ingest(flows, inputs.join(' '));
      }
      progress.phase(`reading every flow stored in ${opts.store}`);
      const all = await store.loadAll();
      stored = all.flows;
      inputCount = all.ingests;
    } finally {
      store.close();
    }
  }
  // With a store, the report covers everything stored (this run's flows included), read back from it.
  const result = stored
    ? runBaseline({ model: loaded.model, ir, flows: stored, inputs: inputCount, decode, diagnostics })
    : runBaseline({ model: loaded.model, ir, flows, inputs: inputCount, decode, diagnostics });
  if (opts.propose) writeFileSync(resolve(io.cwd, opts.propose), result.proposed);
  if (format === 'json') await writeChunks(io.stdout, baselineJsonChunks(result));
  else if (format === 'sarif') await writeChunks(io.stdout, baselineSarifChunks(result));
  else io.stdout.write(formatBaselineText(result, { top, facility: loaded.model.facility }));
  const inputErrors = diagnostics.filter((d) => d.severity === 'error');
  if (inputErrors.length && format !== 'text') for (const d of inputErrors) io.stderr.write(`otzones: ${d.code}: ${d.message}\n`);
  state.exitCode = inputErrors.length ? 2 : result.violationCount ? 1 : 0;
}

