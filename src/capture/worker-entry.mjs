// Worker-thread entry: loads the TypeScript worker through tsx (as bin/otzones.js does for the CLI).
import { tsImport } from 'tsx/esm/api';

const m = await tsImport('./worker.ts', import.meta.url);
m.runWorker();
