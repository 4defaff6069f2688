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

export class Intrinsics {
  readonly #parameters: Json;
  readonly #resources: Json;

  constructor(template: Json | undefined) {
    this.#parameters = isRecord(template?.Parameters) ? template.Parameters : {};
    this.#resources = isRecord(template?.Resources) ? template.Resources : {};
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
