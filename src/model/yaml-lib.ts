/**
 * The positioned YAML library (`yaml`), loaded the first time it is needed: a clean model is read with js-yaml
 * alone, and this library costs ~30 ms of start-up that most runs of most commands never use.
 */
import { createRequire } from 'node:module';

type YamlLib = typeof import('yaml');
let lib: YamlLib | undefined;

export function yamlLib(): YamlLib {
  return (lib ??= createRequire(import.meta.url)('yaml') as YamlLib);
}
