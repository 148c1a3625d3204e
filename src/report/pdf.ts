/**
 * HTML → PDF and SVG → PNG through the Debian Chromium, driven headless by playwright-core (which never
 * downloads a browser here: we pass the executable). A missing browser or library is a PdfError with a
 * message that says what to install.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

export class PdfError extends Error {}

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface BrowserOptions {
  /** Environment; OTZONES_CHROMIUM overrides the browser path. */
  env?: Record<string, string | undefined>;
}

/** The browser to drive: OTZONES_CHROMIUM when set (and only it), else the Debian paths. */
export function chromiumPath(env: Record<string, string | undefined> = {}): string | undefined {
  const candidates = env.OTZONES_CHROMIUM ? [env.OTZONES_CHROMIUM] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => existsSync(p));
}

async function withPage<T>(opts: BrowserOptions, fn: (page: import('playwright-core').Page) => Promise<T>): Promise<T> {
  const exe = chromiumPath(opts.env);
  if (!exe) throw new PdfError('PDF and PNG output need Chromium: install the Debian package `chromium` (or set OTZONES_CHROMIUM to its path); use --format html meanwhile');
  let pw: typeof import('playwright-core');
  try {
    // require, not import(): the CLI bundle is a script run with V8's code cache, where import() has no loader.
    pw = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
  } catch {
    throw new PdfError('PDF and PNG output need the npm package playwright-core (npm install playwright-core@1); use --format html meanwhile');
  }
  const browser = await pw.chromium.launch({ executablePath: exe, args: ARGS, timeout: 60_000 });
  try {
    const page = await browser.newPage();
    // The report is self-contained: nothing may be fetched from anywhere.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    return await fn(page);
  } finally {
    await browser.close();
  }
}

export async function htmlToPdf(html: string, opts: BrowserOptions = {}): Promise<Uint8Array> {
  return withPage(opts, async (page) => {
    await page.setContent(html, { waitUntil: 'load' });
    return new Uint8Array(await page.pdf({ format: 'A4', landscape: true, printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } }));
  });
}

export async function svgToPng(svg: string, opts: BrowserOptions = {}): Promise<Uint8Array> {
  const m = /<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  const width = m ? Math.ceil(Number(m[1])) : 1200;
  const height = m ? Math.ceil(Number(m[2])) : 800;
  return withPage(opts, async (page) => {
    await page.setViewportSize({ width, height });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`, { waitUntil: 'load' });
    return new Uint8Array(await page.locator('svg').first().screenshot({ type: 'png' }));
  });
}
