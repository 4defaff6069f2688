/**
 * CloudFormation values a template may write as intrinsic functions, resolved as far as can be done
 * offline: parameters with defaults, `Fn::Sub`/`Fn::Join` over resolvable parts. What only a deployment
 * knows (pseudo-parameters such as `AWS::Region`, another resource's attribute, an import) stays
 * unresolved and is named as such, so a message can say which setting stands in for it.
 */
import { isRecord } from '../common/records.ts';
import type { PoolRef } from './spec.ts';

type Json = Record<string, unknown>;

export type Resolved = { readonly value: string } | { readonly unresolved: string };

/** How a value is written, short, for messages: `Fn::Sub "arn:…${AWS::Region}…"`. */
export function spelled(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (isRecord(value)) {
    const [name, argument] = Object.entries(value)[0] ?? ['?', undefined];
    if (name === 'Fn::GetAtt' && Array.isArray(argument)) return `Fn::GetAtt ${argument.join('.')}`;
    if (name === 'Ref') return `Ref ${String(argument)}`;
    const text = JSON.stringify(argument) ?? '';
    return `${name} ${text.length > 80 ? `${text.slice(0, 77)}…` : text}`;
  }
  return JSON.stringify(value) ?? String(value);
}

/** An `Fn::If` whose condition only a deployment can decide: its condition's name and both branches. */
export interface Undecided {
  readonly condition: string;
  readonly branches: readonly [unknown, unknown];
}

export class Intrinsics {
  readonly #parameters: Json;
  readonly #resources: Json;
  readonly #conditions: Json;

  constructor(template: Json | undefined) {
    this.#parameters = isRecord(template?.Parameters) ? template.Parameters : {};
    this.#resources = isRecord(template?.Resources) ? template.Resources : {};
    this.#conditions = isRecord(template?.Conditions) ? template.Conditions : {};
  }

  /**
   * A condition's value where it can be decided offline (`Fn::Equals` over values that resolve, with
   * parameters at their defaults; `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`); undefined where it needs a
   * deployment (`AWS::AccountId`, a parameter without default).
   */
  condition(value: unknown, seen: ReadonlySet<string> = new Set()): boolean | undefined {
    if (typeof value === 'string') {
      if (seen.has(value)) return undefined;
      return this.condition(this.#conditions[value], new Set([...seen, value]));
    }
    if (typeof value === 'boolean') return value;
    if (!isRecord(value)) return undefined;
    if (typeof value.Condition === 'string') return this.condition(value.Condition, seen);
    const equals = value['Fn::Equals'];
    if (Array.isArray(equals) && equals.length === 2) {
      const [left, right] = equals.map((side: unknown) => this.string(side));
      return left && right && 'value' in left && 'value' in right ? left.value === right.value : undefined;
    }
    const not = value['Fn::Not'];
    if (Array.isArray(not) && not.length === 1) {
      const inner = this.condition(not[0], seen);
      return inner === undefined ? undefined : !inner;
    }
    for (const [name, all] of [
      ['Fn::And', true],
      ['Fn::Or', false],
    ] as const) {
      const list = value[name];
      if (!Array.isArray(list)) continue;
      const values = list.map((item: unknown) => this.condition(item, seen));
      // And: one false decides; Or: one true decides; otherwise every part must be known.
      if (values.includes(!all)) return !all;
      return values.includes(undefined) ? undefined : all;
    }
    return undefined;
  }

  /**
   * The value with every `Fn::If` whose condition can be decided replaced by its branch, and
   * `Ref AWS::NoValue` dropped (as CloudFormation does). An `Fn::If` that cannot be decided is left as
   * written, except at the top, where `undecided` says which condition and gives both branches.
   */
  settle(value: unknown): { readonly value: unknown } | { readonly undecided: Undecided } {
    const top = this.#ifOf(value);
    if (top !== undefined) {
      const decided = this.condition(top[0]);
      if (decided === undefined) {
        return {
          undecided: {
            condition: typeof top[0] === 'string' ? top[0] : spelled(top[0]),
            branches: [this.#deep(top[1]), this.#deep(top[2])],
          },
        };
      }
      return this.settle(decided ? top[1] : top[2]);
    }
    return { value: this.#deep(value) };
  }

  #ifOf(value: unknown): readonly [unknown, unknown, unknown] | undefined {
    const raw = isRecord(value) && Object.keys(value).length === 1 ? value['Fn::If'] : undefined;
    return Array.isArray(raw) && raw.length === 3 ? [raw[0], raw[1], raw[2]] : undefined;
  }

  #isNoValue(value: unknown): boolean {
    return this.refOf(value) === 'AWS::NoValue';
  }

  #deep(value: unknown): unknown {
    const branch = this.#ifOf(value);
    if (branch !== undefined) {
      const decided = this.condition(branch[0]);
      if (decided !== undefined) return this.#deep(decided ? branch[1] : branch[2]);
    }
    if (Array.isArray(value)) {
      return value.map((item) => this.#deep(item)).filter((item) => !this.#isNoValue(item));
    }
    if (!isRecord(value)) return value;
    const out: Json = {};
    for (const [key, item] of Object.entries(value)) {
      const settled = this.#deep(item);
      if (!this.#isNoValue(settled)) out[key] = settled;
    }
    return out;
  }

  /** The logical id a `{"Ref": id}` names, if the value is one. */
  refOf(value: unknown): string | undefined {
    return isRecord(value) && typeof value.Ref === 'string' ? value.Ref : undefined;
  }

  /** `[id, attribute]` of a `Fn::GetAtt` (either spelling: list or `"id.attribute"`). */
  getAttOf(value: unknown): readonly [string, string] | undefined {
    const raw = isRecord(value) ? value['Fn::GetAtt'] : undefined;
    if (typeof raw === 'string' && raw.includes('.')) {
      return [raw.slice(0, raw.indexOf('.')), raw.slice(raw.indexOf('.') + 1)];
    }
    if (Array.isArray(raw) && typeof raw[0] === 'string' && typeof raw[1] === 'string')
      return [raw[0], raw[1]];
    return undefined;
  }

  #name(name: string): Resolved {
    if (name.startsWith('AWS::')) {
      return { unresolved: `the pseudo-parameter ${name}, known only when the stack is deployed` };
    }
    const parameter = this.#parameters[name];
    if (isRecord(parameter)) {
      const fallback = parameter.Default;
      if (typeof fallback === 'string' || typeof fallback === 'number') return { value: String(fallback) };
      return { unresolved: `the parameter ${name}, which has no Default` };
    }
    if (this.#resources[name] !== undefined) {
      return { unresolved: `the resource ${name}'s id, known only when the stack is deployed` };
    }
    return { unresolved: `${name}, which the template does not define` };
  }

  /** A string value, resolved as far as possible offline. */
  string(value: unknown): Resolved {
    if (typeof value === 'string') return { value };
    if (typeof value === 'number' || typeof value === 'boolean') return { value: String(value) };
    if (!isRecord(value)) return { unresolved: 'not a string' };
    const ref = this.refOf(value);
    if (ref !== undefined) return this.#name(ref);
    const sub = value['Fn::Sub'];
    if (sub !== undefined) {
      const [text, variables] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined];
      if (typeof text !== 'string') return { unresolved: 'an Fn::Sub without a string' };
      const missing: string[] = [];
      const result = text.replace(/\$\{([^}!]+)\}/g, (_whole, name: string) => {
        const local = isRecord(variables) ? variables[name] : undefined;
        const resolved =
          local !== undefined
            ? this.string(local)
            : name.includes('.')
              ? { unresolved: `the attribute ${name}, known only when the stack is deployed` }
              : this.#name(name);
        if ('value' in resolved) return resolved.value;
        missing.push(resolved.unresolved);
        return `\${${name}}`;
      });
      return missing.length === 0 ? { value: result } : { unresolved: missing.join(' and ') };
    }
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      const parts = join[1].map((part: unknown) => this.string(part));
      const missing = parts.flatMap((part) => ('unresolved' in part ? [part.unresolved] : []));
      if (missing.length > 0) return { unresolved: missing.join(' and ') };
      return { value: parts.map((part) => ('value' in part ? part.value : '')).join(join[0]) };
    }
    const branch = this.#ifOf(value);
    if (branch !== undefined) {
      const decided = this.condition(branch[0]);
      if (decided !== undefined) return this.string(decided ? branch[1] : branch[2]);
      return {
        unresolved: `the condition ${typeof branch[0] === 'string' ? branch[0] : spelled(branch[0])}, decided only when the stack is deployed`,
      };
    }
    const getAtt = this.getAttOf(value);
    if (getAtt !== undefined) {
      return { unresolved: `the attribute ${getAtt.join('.')}, known only when the stack is deployed` };
    }
    const [name] = Object.keys(value);
    return {
      unresolved: `${name ?? 'an intrinsic function'}, which is evaluated only when the stack is deployed`,
    };
  }

  /**
   * A user pool reference (`providerARNs` entry, SAM `UserPoolArn`). A pool the template makes is known by
   * its logical id; an ARN only a deployment can complete is kept as written and said to be replaced by
   * the pool the contract signs in to (COGNITO_USER_POOL_ID).
   */
  pool(value: unknown): PoolRef | undefined {
    const getAtt = this.getAttOf(value);
    if (getAtt !== undefined) {
      return { key: getAtt[0], label: `the user pool ${getAtt[0]} of this template (${spelled(value)})` };
    }
    const resolved = this.string(value);
    if ('value' in resolved) {
      return { key: resolved.value, arn: resolved.value, label: resolved.value };
    }
    if (!isRecord(value)) return undefined;
    // A pool made here, named inside a Sub or Join: `${UserPool.Arn}`, `${UserPool}`.
    const text = JSON.stringify(value);
    const local = Object.entries(this.#resources).find(
      ([id, resource]) =>
        isRecord(resource) && resource.Type === 'AWS::Cognito::UserPool' && text.includes(id),
    );
    if (local !== undefined) {
      return { key: local[0], label: `the user pool ${local[0]} of this template (${spelled(value)})` };
    }
    return {
      key: text,
      label: `${spelled(value)} (complete only when deployed; the contract uses the pool it signs in to, COGNITO_USER_POOL_ID)`,
    };
  }
}
