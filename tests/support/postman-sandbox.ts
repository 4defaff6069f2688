/**
 * Runs JavaScript inside the real Postman sandbox, the very postman-sandbox package Newman's
 * postman-runtime loads (resolved through newman -> postman-runtime -> postman-sandbox, not whatever
 * npm hoisted), so a test of a collection script tests what a run executes. The sandbox is a separate
 * context with its own globals: values go in as JSON literals in the code and come out through
 * `pm.variables`, the channel collection scripts use.
 *
 * postman-sandbox ships no API promise for use outside postman-runtime (its README says so), so every
 * shape this relies on is checked, and a change fails with a sentence naming it instead of a hang.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const fromRepo = createRequire(import.meta.url);
const fromNewman = createRequire(fromRepo.resolve('newman/package.json'));
const fromRuntime = createRequire(fromNewman.resolve('postman-runtime/package.json'));
const sandboxManifest = fromRuntime.resolve('postman-sandbox/package.json');

/** The version of the postman-sandbox package Newman runs scripts in. */
export const postmanSandboxVersion: string = (() => {
  const manifest: unknown = JSON.parse(readFileSync(sandboxManifest, 'utf8'));
  assert.ok(
    typeof manifest === 'object' && manifest !== null && 'version' in manifest,
    'postman-sandbox/package.json has no version',
  );
  return String(manifest.version);
})();

interface RawContext {
  execute(
    code: string,
    options: { context: object; timeout: number },
    callback: (error: unknown, result: unknown) => void,
  ): void;
  dispose(): void;
}

interface RawSandbox {
  createContext(options: object, callback: (error: unknown, context: unknown) => void): void;
}

function loadSandbox(): RawSandbox {
  const module: unknown = fromRuntime(dirname(sandboxManifest));
  assert.ok(
    typeof module === 'object' && module !== null && 'createContext' in module,
    `postman-sandbox ${postmanSandboxVersion} has no createContext export: its API changed, update tests/support/postman-sandbox.ts`,
  );
  assert.equal(typeof module.createContext, 'function', 'postman-sandbox createContext is not a function');
  return module as RawSandbox;
}

/** One variable as the sandbox reports it in `result._variables.values`. */
function variablesOf(result: unknown): Map<string, unknown> {
  const values =
    typeof result === 'object' &&
    result !== null &&
    '_variables' in result &&
    typeof result._variables === 'object' &&
    result._variables !== null &&
    'values' in result._variables
      ? result._variables.values
      : undefined;
  assert.ok(
    Array.isArray(values),
    `postman-sandbox ${postmanSandboxVersion} returned no _variables.values list: its result shape changed, update tests/support/postman-sandbox.ts`,
  );
  const variables = new Map<string, unknown>();
  for (const entry of values as unknown[]) {
    assert.ok(
      typeof entry === 'object' && entry !== null && 'key' in entry && 'value' in entry,
      'a postman-sandbox variable has no key/value',
    );
    variables.set(String(entry.key), entry.value);
  }
  return variables;
}

export interface PostmanSandbox {
  /**
   * Runs `code` in the sandbox and resolves with the JSON value it stored with
   * `pm.variables.set('result', JSON.stringify(value))`; rejects with the script's own error.
   */
  run(code: string): Promise<unknown>;
  dispose(): void;
}

const TIMEOUT_MS = 60_000;

export async function openPostmanSandbox(): Promise<PostmanSandbox> {
  const sandbox = loadSandbox();
  const context = await new Promise<RawContext>((resolve, reject) => {
    sandbox.createContext({ timeout: TIMEOUT_MS }, (error, created) => {
      if (error) {
        reject(error);
        return;
      }
      assert.ok(
        typeof created === 'object' &&
          created !== null &&
          'execute' in created &&
          typeof created.execute === 'function' &&
          'dispose' in created &&
          typeof created.dispose === 'function',
        `postman-sandbox ${postmanSandboxVersion} createContext gave no context with execute() and dispose()`,
      );
      resolve(created as RawContext);
    });
  });
  return {
    run(code) {
      return new Promise((resolve, reject) => {
        context.execute(code, { context: {}, timeout: TIMEOUT_MS }, (error, result) => {
          if (error) {
            reject(error);
            return;
          }
          try {
            const value = variablesOf(result).get('result');
            assert.equal(typeof value, 'string', 'the sandbox script stored no "result" variable');
            resolve(JSON.parse(value as string));
          } catch (problem) {
            reject(problem);
          }
        });
      });
    },
    dispose() {
      context.dispose();
    },
  };
}

/**
 * Runs `body` (a function body whose return value is JSON) in the sandbox after `script` (the
 * sandboxCrypto script); `input` arrives as the constant `input`. Inside a block, so the shadowing
 * constants hide the sandbox's own Buffer, atob and btoa from the script, as a run that lacked them would.
 */
export function runAfterScript(
  sandbox: PostmanSandbox,
  script: string,
  body: string,
  input: unknown = null,
): Promise<unknown> {
  return sandbox.run(
    [
      '{',
      'const Buffer = undefined, atob = undefined, btoa = undefined;',
      script,
      `const input = ${JSON.stringify(input)};`,
      `pm.variables.set('result', JSON.stringify((function () {\n${body}\n})()));`,
      '}',
    ].join('\n'),
  );
}
