/**
 * cognito-local's Router (lib/server/Router.js) with one difference: a target's module is loaded on its
 * first call instead of all fifty at start-up. Its own router imports `targets/targets.js`, which loads
 * every target and what they need (jsonwebtoken, otplib, short-uuid, …); a stack start uses about ten.
 * That import was about a third of loading the local stack (docs/benchmarks.md).
 *
 * Same contract as the original: every target cognito-local ships is routed (one module per target in
 * its `lib/targets/`, `adminCreateUser.js` exporting `AdminCreateUser`), anything else is rejected with
 * cognito-local's own UnsupportedError and message, and each call gets a child logger named after the
 * target. tests/unit/local-stack/lazy-targets.test.ts checks the set and each function against
 * cognito-local's own table.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UnsupportedError } from 'cognito-local/lib/errors.js';
import type { Route, Router } from 'cognito-local/lib/server/Router.js';
import type { Services } from 'cognito-local/lib/services/index.js';

const require = createRequire(import.meta.url);
const targetsDirectory = dirname(require.resolve('cognito-local/lib/targets/targets.js'));

type TargetFactory = (services: Services) => Route;

/** Target name (e.g. `AdminCreateUser`) → its module's file; no module is loaded here. */
export function targetFiles(): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  for (const file of readdirSync(targetsDirectory)) {
    const match = /^([a-z][A-Za-z]*)\.js$/.exec(file);
    if (match?.[1] === undefined || match[1] === 'targets') continue;
    files.set(match[1].charAt(0).toUpperCase() + match[1].slice(1), join(targetsDirectory, file));
  }
  return files;
}

/** The target's factory from its module, or undefined if the module exports none under that name. */
function loadTarget(name: string, file: string): TargetFactory | undefined {
  const exports = require(file) as Record<string, unknown>;
  const factory = exports[name];
  return typeof factory === 'function' ? (factory as TargetFactory) : undefined;
}

export function lazyRouter(services: Services): Router {
  const files = targetFiles();
  const factories = new Map<string, TargetFactory | undefined>();
  return (target) => {
    const file = files.get(target);
    if (!factories.has(target) && file !== undefined) factories.set(target, loadTarget(target, file));
    const factory = factories.get(target);
    if (factory === undefined) {
      return () => Promise.reject(new UnsupportedError(`Unsupported x-amz-target header "${target}"`));
    }
    const route = factory(services);
    return async (ctx, req) => {
      const logger = ctx.logger.child({ target });
      logger.debug('start');
      const answer: unknown = await route({ ...ctx, logger }, req);
      logger.debug('end');
      return answer;
    };
  };
}
