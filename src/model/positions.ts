/** Positions live beside the data: a model path is looked up in the YAML document's node ranges. */
import type { Document, LineCounter, Node } from 'yaml';
import { yamlLib } from './yaml-lib.ts';
import type { Locator, SourcePosition } from './types.ts';

export type PathSegment = string | number;

export function pathToString(path: readonly PathSegment[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s ? `.${seg}` : seg;
  }
  return s;
}

export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

function rangePosition(lc: LineCounter, start: number, end: number): SourcePosition {
  const a = lc.linePos(start);
  const b = lc.linePos(Math.max(start, end));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/** Finds the node for a path, or the deepest existing ancestor, and optionally the key node of the last segment. */
function findNode(doc: Document, path: readonly PathSegment[], wantKey: boolean): Node | null {
  const { isMap, isPair, isScalar, isSeq } = yamlLib();
  let node: unknown = doc.contents;
  let last: Node | null = (doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return last;
      if (wantKey && i === path.length - 1) return (pair.key as Node) ?? last;
      node = pair.value ?? pair.key;
    } else {
      return last;
    }
    if (node && typeof node === 'object' && 'range' in (node as object)) last = node as Node;
    else return last;
  }
  return last;
}

export function makeLocator(doc: Document, lc: LineCounter): Locator {
  return (path, opts) => {
    const node = findNode(doc, parsePath(path), opts?.key ?? false);
    if (!node?.range) return undefined;
    // For a block collection the value range can end on a later line; point at where it starts.
    return rangePosition(lc, node.range[0], node.range[1]);
  };
}
