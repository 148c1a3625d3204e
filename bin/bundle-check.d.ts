/** Types for bundle-check.js (plain JS so bin/otzones.js can run it before tsx is loaded). */
export declare const STAMP: string;
export interface SourceState {
  files: number;
  pathsHash: string;
  newestMtimeMs: number;
}
export declare function sourceState(root: string): SourceState;
export declare function bundleIsFresh(root: string): boolean;
