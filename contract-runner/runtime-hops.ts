/**
 * postman-runtime moves from one instruction of a run to the next with `setTimeout(fn, 0)` (its
 * lib/runner/instruction.js, after every instruction, and lib/runner/run.js `immediate`, for each HTTP
 * request). Node clamps a 0 ms timer to 1 ms, so every hop waits for the next timers phase at least a
 * millisecond later, about seven a request: nearly half of a clause's time was the runtime idle
 * (docs/benchmarks.md, measure 6). Both hops only need "after the current call stack, without growing
 * it"; `setImmediate` gives exactly that, after pending I/O, without the clamp.
 *
 * Only those two call sites change, and only in the runtime version whose source was read for this
 * (RUNTIME_VERSION): each module's text is rewritten where it matches exactly, compiled under its own
 * file name and put into the CommonJS cache before Newman first requires it. A global `setTimeout`
 * patch would also change every other 0 ms timer in the process (the stack's, the sandbox's, the HTTP
 * client's) and hand an Immediate to code that may `clearTimeout` it, which silently does nothing. On
 * any other runtime version, or where a module is already loaded, nothing is changed and `hopsState`
 * says why: runs are then as before, only slower.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { configValue, processEnv } from '../common/config-table.ts';

/** The postman-runtime whose two hops are rewritten (newman 6.2.2's). */
export const RUNTIME_VERSION = '7.39.1';

/** Set CONTRACT_RUNTIME_HOPS=timeout to keep the runtime's own 0 ms timers (for comparing). */
const HOPS_ENV = 'CONTRACT_RUNTIME_HOPS';

interface Rewrite {
  readonly module: string;
  readonly from: string;
  readonly to: string;
}

const REWRITES: readonly Rewrite[] = [
  {
    module: 'postman-runtime/lib/runner/instruction.js',
    from: 'setTimeout(callback.bind(...args), 0);',
    to: 'setImmediate(callback.bind(...args));',
  },
  {
    module: 'postman-runtime/lib/runner/run.js',
    from: `        setTimeout(function () {
            // we do not have callback, hence we send _.noop. we could have had made callback in .execute optional, but
            // that would suppress design-time bugs in majority use-case and hence we avoided the same.
            instruction.execute(_.noop, scope);
        }, 0);`,
    to: `        setImmediate(function () {
            // we do not have callback, hence we send _.noop. we could have had made callback in .execute optional, but
            // that would suppress design-time bugs in majority use-case and hence we avoided the same.
            instruction.execute(_.noop, scope);
        });`,
  },
];

export type HopsState = { readonly applied: true } | { readonly applied: false; readonly why: string };

/** CommonJS internals used to compile a module from rewritten text (stable since Node 0.x). */
interface CjsModule {
  filename: string;
  paths: string[];
  loaded: boolean;
  _compile(source: string, filename: string): void;
}
interface CjsModuleClass {
  new (id: string, parent: null): CjsModule;
  _nodeModulePaths(from: string): string[];
}

let state: HopsState | undefined;

/** Rewrites the runtime's hops once per process, before Newman loads it; returns what was done. */
export function useImmediateHops(): HopsState {
  state ??= apply();
  return state;
}

function apply(): HopsState {
  if (configValue(processEnv(), HOPS_ENV) === 'timeout')
    return { applied: false, why: `${HOPS_ENV}=timeout` };
  const fromNewman = createRequire(createRequire(import.meta.url).resolve('newman/package.json'));
  let version: unknown;
  try {
    version = (fromNewman('postman-runtime/package.json') as { version?: unknown }).version;
  } catch {
    return { applied: false, why: 'postman-runtime not found beside newman' };
  }
  if (version !== RUNTIME_VERSION) {
    return { applied: false, why: `postman-runtime ${String(version)} is not ${RUNTIME_VERSION}` };
  }
  const cache = fromNewman.cache;
  const planned: { filename: string; source: string }[] = [];
  for (const rewrite of REWRITES) {
    const filename = fromNewman.resolve(rewrite.module);
    if (cache[filename] !== undefined) return { applied: false, why: `${rewrite.module} was already loaded` };
    const text = readFileSync(filename, 'utf8');
    if (text.split(rewrite.from).length !== 2) {
      return { applied: false, why: `${rewrite.module} does not contain the expected hop exactly once` };
    }
    planned.push({ filename, source: text.replace(rewrite.from, () => rewrite.to) });
  }
  // Checked every file first: either both hops change or neither.
  const Module = fromNewman('node:module') as CjsModuleClass;
  for (const { filename, source } of planned) {
    const compiled = new Module(filename, null);
    compiled.filename = filename;
    compiled.paths = Module._nodeModulePaths(dirname(filename));
    compiled._compile(source, filename);
    compiled.loaded = true;
    // The cache's value type is NodeJS.Module; this object is one, built through the same constructor.
    cache[filename] = compiled as unknown as NodeJS.Module;
  }
  return { applied: true };
}
