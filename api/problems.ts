/**
 * The defects of one API description, collected while it is read and reported together: each once
 * (an `ANY` method or a scheme used by many methods does not repeat it), each naming the file, the JSON
 * path where it is and what to do. A refused scheme is remembered so the methods using it add nothing.
 */
import { UsageError } from '../common/cli-error.ts';

export interface Problem {
  /** The JSON path in the file, e.g. `paths./items.get.security[0]` or `Resources.ItemsGet.Properties`. */
  readonly where: string;
  /** What is wrong, starting lower-case, without a final period. */
  readonly what: string;
  /** How to fix it, starting lower-case, without a final period. */
  readonly fix: string;
}

export class Problems {
  readonly #seen = new Set<string>();
  readonly list: Problem[] = [];
  /** Names (scheme, authorizer) already refused: methods that use them are not reported again. */
  readonly refused = new Set<string>();

  add(where: string, what: string, fix: string): void {
    const key = `${where}\u0000${what}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.list.push({ where, what, fix });
  }

  /**
   * Adds a problem that refuses a named part (a scheme, an authorizer): the methods using it add
   * nothing more. Returns undefined, the reader's "no such part", so a reader can `return` it.
   */
  refuse(name: string, where: string, what: string, fix: string): undefined {
    this.add(where, what, fix);
    this.refused.add(name);
    return undefined;
  }

  /** Throws one UsageError (exit code 2) naming every problem, one line each; does nothing if there are none. */
  throwIfAny(file: string): void {
    if (this.list.length === 0) return;
    const line = (problem: Problem) => `${file} ${problem.where}: ${problem.what}: ${problem.fix}.`;
    const [only] = this.list;
    if (this.list.length === 1 && only !== undefined) {
      throw new UsageError(`The API description ${line(only)}`);
    }
    throw new UsageError(
      `The API description ${file} has ${this.list.length} problems:\n${this.list.map((problem) => `  ${line(problem)}`).join('\n')}`,
    );
  }
}

/** A JSON path step: `.name` for plain keys, `["a b"]`-free dotted style as API Gateway users read it. */
export function at(base: string, ...steps: (string | number)[]): string {
  let path = base;
  for (const step of steps) {
    path = typeof step === 'number' ? `${path}[${step}]` : path === '' ? step : `${path}.${step}`;
  }
  return path;
}
