/**
 * Turns the file `cdk deploy --outputs-file` writes into `.env` updates. The file is external JSON, so
 * it stays `unknown` until every output the suite needs is found to be a non-empty string.
 */
import { UserError } from '../common/cli-error.ts';
import { type EnvBackedOutput, OUTPUT_TO_ENV_KEY } from './deployment-names.ts';

const FIX = 'run `npm run deploy` again so the stack and the outputs file match this code.';

export class StackOutputsError extends UserError {
  override readonly name: string = 'StackOutputsError';
}

/** `{ "<stack>": { "<output>": "<value>" } }` → `{ API_URL: ..., ... }`. */
export function envUpdatesFromOutputs(outputsFile: unknown, stackName: string): Record<string, string> {
  const stack: unknown =
    typeof outputsFile === 'object' && outputsFile !== null ? Reflect.get(outputsFile, stackName) : undefined;
  if (typeof stack !== 'object' || stack === null) {
    throw new StackOutputsError(`The CDK outputs file has no stack named ${stackName}: ${FIX}`);
  }
  const updates: Record<string, string> = {};
  const missing: string[] = [];
  for (const [output, envKey] of Object.entries(OUTPUT_TO_ENV_KEY) as [EnvBackedOutput, string][]) {
    const value: unknown = Reflect.get(stack, output);
    if (typeof value === 'string' && value !== '') updates[envKey] = value;
    else missing.push(output);
  }
  if (missing.length > 0) {
    throw new StackOutputsError(`Stack ${stackName} is missing the outputs ${missing.join(', ')}: ${FIX}`);
  }
  return updates;
}

/** An optional, human-facing output (the hosted UI URL), or undefined. */
export function optionalOutput(outputsFile: unknown, stackName: string, output: string): string | undefined {
  const stack: unknown =
    typeof outputsFile === 'object' && outputsFile !== null ? Reflect.get(outputsFile, stackName) : undefined;
  const value: unknown = typeof stack === 'object' && stack !== null ? Reflect.get(stack, output) : undefined;
  return typeof value === 'string' ? value : undefined;
}
