/**
 * The dashboard HTTP server: a JSON API (one endpoint per view, see docs/web.md) over the snapshot in api.ts,
 * and the single-page UI from src/web/ui/ (plain files, no CDN, no build step). Loopback by default; on any
 * other address every request must carry the token. The model and result files are reloaded when they change.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { createAdaptorServer } from '@hono/node-server';
import {
  architectureView, baselineSummaryView, cellView, diagnosticsView, flowsView, loadSnapshot, matrixView, metaView,
  probeView, slGapsView, sourceView, verifyView, type DashboardInputs, type FlowQuery, type Snapshot,
} from './api.ts';
import type { Loaded } from './results.ts';
import { readStore, type StoredFlows } from './store.ts';

const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'ui');
const UI_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/graph.js': { file: 'graph.js', type: 'text/javascript; charset=utf-8' },
  '/ui/dom.js': { file: 'dom.js', type: 'text/javascript; charset=utf-8' },
  '/ui/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** Report formats the server can produce, and how; absent when src/report is not available. */
export interface ReportProvider {
  formats: string[];
  render(snapshot: Snapshot, format: string): Promise<{ body: string | Uint8Array; type: string; filename: string }>;
}

export interface DashboardOptions {
  /** Required on every request when set (header `Authorization: Bearer T`, cookie, or `?token=T`). */
  token?: string;
  /** Accept only `Host: localhost|127.0.0.1|[::1]` (defeats DNS rebinding against a loopback server). */
  loopbackHostOnly?: boolean;
  report?: ReportProvider;
}

export interface Dashboard {
  app: Hono;
  snapshot(): Snapshot;
  /** Reloads the model and the result files (and the store's flows when `store` is true). */
  reload(opts?: { store?: boolean }): Promise<Snapshot>;
}

const COOKIE = 'otzones_token';
const digest = (s: string) => createHash('sha256').update(s).digest();
const sameToken = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** `stored`: the flows of `inputs.store`, read by the caller (readStore) so that creating a dashboard stays synchronous. */
export function createDashboard(inputs: DashboardInputs, opts: DashboardOptions = {}, stored?: Loaded<StoredFlows>): Dashboard {
  let snap = loadSnapshot(inputs, 1, stored);
  const ui = new Map(Object.entries(UI_FILES).map(([route, f]) => [route, { body: readFileSync(resolve(UI_DIR, f.file)), type: f.type }]));
  const app = new Hono();

  app.use('*', async (c, next) => {
    if (opts.loopbackHostOnly) {
      const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
      if (!LOOPBACK_HOSTS.has(host)) return c.text('forbidden: unexpected Host header\n', 403);
    }
    let setCookie = false;
    if (opts.token) {
      const auth = c.req.header('authorization');
      const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
      const query = c.req.query('token');
      const cookie = cookieValue(c.req.header('cookie'), COOKIE);
      const ok = [bearer, cookie, query].some((t) => t !== undefined && sameToken(t, opts.token!));
      if (!ok) return c.text('unauthorized: this dashboard needs its token (open the URL printed by `otzones serve`)\n', 401);
      setCookie = query !== undefined && cookie === undefined;
    }
    await next();
    c.header('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
    if (setCookie) c.header('Set-Cookie', `${COOKIE}=${encodeURIComponent(opts.token!)}; HttpOnly; SameSite=Strict; Path=/`);
  });

  for (const [route, f] of ui) app.get(route, (c) => c.body(new Uint8Array(f.body), 200, { 'Content-Type': f.type }));

  const features = { report: opts.report?.formats ?? [] };
  app.get('/api/meta', (c) => c.json(metaView(snap, inputs, features)));
  app.get('/api/architecture', (c) => c.json(architectureView(snap)));
  app.get('/api/matrix', (c) => c.json(matrixView(snap)));
  app.get('/api/matrix/cell', (c) => {
    const from = c.req.query('from');
    const to = c.req.query('to');
    if (!from || !to) return c.json({ error: 'query parameters `from` and `to` (zone ids) are required' }, 400);
    return c.json(cellView(snap, from, to));
  });
  app.get('/api/diagnostics', (c) => c.json(diagnosticsView(snap)));
  app.get('/api/source', (c) => c.json(sourceView(snap, Number(c.req.query('from') ?? 1), Number(c.req.query('to') ?? c.req.query('from') ?? 1))));
  app.get('/api/flows', (c) => c.json(flowsView(snap, c.req.query() as FlowQuery)));
  app.get('/api/baseline', (c) => c.json(baselineSummaryView(snap)));
  app.get('/api/verify', (c) => c.json(verifyView(snap)));
  app.get('/api/probe', (c) => c.json(probeView(snap)));
  app.get('/api/sl-gaps', (c) => c.json(slGapsView(snap)));
  app.get('/api/report', async (c: Context) => {
    const format = c.req.query('format') ?? 'md';
    if (!opts.report) return c.json({ error: 'report generation is not available in this build' }, 404);
    if (!opts.report.formats.includes(format)) return c.json({ error: `format must be one of ${opts.report.formats.join(', ')}` }, 400);
    let r;
    try {
      r = await opts.report.render(snap, format);
    } catch (e) {
      return c.json({ error: `cannot make the ${format} report: ${(e as Error).message}` }, 422);
    }
    return c.body(typeof r.body === 'string' ? r.body : new Uint8Array(r.body), 200, {
      'Content-Type': r.type,
      'Content-Disposition': `attachment; filename="${r.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    });
  });
  app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: `no such endpoint: ${c.req.path}` }, 404) : c.text('not found\n', 404)));
  app.onError((err, c) => c.json({ error: `internal error (ZC900): ${err.message}` }, 500));

  return {
    app,
    snapshot: () => snap,
    reload: async ({ store = false } = {}) => {
      if (store && inputs.store) stored = await readStore(resolve(inputs.cwd, inputs.store), inputs.store);
      return (snap = loadSnapshot(inputs, snap.generation + 1, stored));
    },
  };
}

/** Calls `onChange` (debounced) when any of the files changes on disk; watches directories so editors that replace files are seen. */
export function watchFiles(files: string[], onChange: (changed: string[]) => void, debounceMs = 150): () => void {
  const byDir = new Map<string, Set<string>>();
  for (const f of files) {
    const d = dirname(f);
    (byDir.get(d) ?? byDir.set(d, new Set()).get(d)!).add(basename(f));
  }
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, (_event, name) => {
        if (name && !names.has(name.toString())) return;
        // Without a name (some platforms), treat every watched file of the directory as changed.
        for (const n of name ? [name.toString()] : names) changed.add(resolve(dir, n));
        clearTimeout(timer);
        timer = setTimeout(() => {
          const list = [...changed];
          changed.clear();
          onChange(list);
        }, debounceMs);
      });
      w.on('error', () => {});
      watchers.push(w);
    } catch {
      // A directory that cannot be watched only loses live reload.
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}

export interface RunningDashboard {
  url: string;
  port: number;
  dashboard: Dashboard;
  close(): Promise<void>;
}

/** Starts the server and the file watcher; rejects with a one-line message when the address cannot be bound. */
export async function startDashboard(
  inputs: DashboardInputs,
  opts: DashboardOptions & { host: string; port: number; onReload?: (s: Snapshot) => void },
): Promise<RunningDashboard> {
  const stored = inputs.store ? await readStore(resolve(inputs.cwd, inputs.store), inputs.store) : undefined;
  const dashboard = createDashboard(inputs, { ...opts, loopbackHostOnly: opts.loopbackHostOnly ?? (isLoopback(opts.host) && !opts.token) }, stored);
  const server = createAdaptorServer({ fetch: dashboard.app.fetch });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(new Error(e.code === 'EADDRINUSE' ? `port ${opts.port} on ${opts.host} is already in use` : e.code === 'EADDRNOTAVAIL' ? `${opts.host} is not an address of this machine` : `cannot listen on ${opts.host}:${opts.port}: ${e.message}`)),
    );
    server.listen(opts.port, opts.host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const files = [inputs.model, inputs.verify, inputs.baseline, inputs.probe, ...(inputs.configs ?? [])].filter((f): f is string => !!f).map((f) => resolve(inputs.cwd, f));
  // A DuckDB store changes through its write-ahead log too; re-read it on any change of either file.
  const storeFiles = inputs.store ? [resolve(inputs.cwd, inputs.store), resolve(inputs.cwd, `${inputs.store}.wal`)] : [];
  const unwatch = watchFiles([...files, ...storeFiles], (changed) => {
    void dashboard.reload({ store: changed.some((f) => storeFiles.includes(f)) }).then((snap) => opts.onReload?.(snap));
  });
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${hostPart}:${port}/${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''}`;
  return {
    url,
    port,
    dashboard,
    close: () =>
      new Promise<void>((ok) => {
        unwatch();
        (server as import('node:http').Server).closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
