/**
 * Reads an API description file into plain JSON values and says which form it is, by content (never by
 * file name): an OpenAPI 3 or Swagger 2 document (an API Gateway export, JSON or YAML), a SAM template
 * or a CloudFormation template (`cdk synth` output included). YAML is parsed with the `yaml` package;
 * CloudFormation's short forms (`!Ref`, `!Sub`, `!GetAtt`, …) become their long forms (`{"Ref": …}`)
 * so templates read the same in either spelling.
 */
import { readFile } from 'node:fs/promises';
import { type CollectionTag, parseDocument, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';
import { UsageError } from '../common/cli-error.ts';
import { isRecord } from '../common/records.ts';
import { sha256 } from '../common/sha256.ts';
import type { ApiSourceKind } from './spec.ts';

/** The short-form intrinsic functions of CloudFormation YAML, each with the long form it stands for. */
const INTRINSICS: Readonly<Record<string, string>> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr',
  FindInMap: 'Fn::FindInMap',
  GetAtt: 'Fn::GetAtt',
  GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  Sub: 'Fn::Sub',
  Transform: 'Fn::Transform',
  And: 'Fn::And',
  Equals: 'Fn::Equals',
  If: 'Fn::If',
  Not: 'Fn::Not',
  Or: 'Fn::Or',
  ToJsonString: 'Fn::ToJsonString',
  Length: 'Fn::Length',
};

function cloudFormationTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const [short, long] of Object.entries(INTRINSICS)) {
    const tag = `!${short}`;
    tags.push({
      tag,
      // `!GetAtt Pool.Arn` is the scalar form of `Fn::GetAtt: [Pool, Arn]`.
      resolve: (value: string) => {
        if (short !== 'GetAtt') return { [long]: value };
        const dot = value.indexOf('.');
        return { [long]: dot < 0 ? [value, ''] : [value.slice(0, dot), value.slice(dot + 1)] };
      },
    });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({
        tag,
        collection,
        resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [long]: value.toJSON() }),
      });
    }
  }
  return tags;
}

export interface LoadedDocument {
  readonly kind: Exclude<ApiSourceKind, 'route-table'>;
  readonly json: Record<string, unknown>;
  readonly sha256: string;
  /** YAML or JSON, for messages. */
  readonly syntax: 'JSON' | 'YAML';
}

const WHAT_IS_READ =
  'give an API Gateway export (OpenAPI 3 or Swagger 2, JSON or YAML), a SAM template or a CloudFormation template (e.g. cdk synth output)';

/** Which form a parsed document is, by its content. */
export function kindOf(json: Record<string, unknown>): LoadedDocument['kind'] | undefined {
  if (typeof json.openapi === 'string' && json.openapi.startsWith('3.')) return 'openapi';
  if (json.swagger === '2.0' || json.swagger === 2) return 'swagger';
  const resources = json.Resources;
  if (!isRecord(resources)) return undefined;
  const transform = json.Transform;
  const transforms = Array.isArray(transform) ? transform : [transform];
  const types = Object.values(resources).map((resource) => (isRecord(resource) ? resource.Type : undefined));
  if (
    transforms.some((name) => typeof name === 'string' && name.startsWith('AWS::Serverless')) ||
    types.some((type) => typeof type === 'string' && type.startsWith('AWS::Serverless::'))
  ) {
    return 'sam';
  }
  if (types.some((type) => type === 'AWS::ApiGateway::RestApi')) return 'cloudformation';
  return undefined;
}

/** Parses file contents (JSON first, then YAML); throws a UsageError naming the file when it is neither. */
export function parseDescription(text: string, shown: string): { json: unknown; syntax: 'JSON' | 'YAML' } {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { json: JSON.parse(text), syntax: 'JSON' };
    } catch (error) {
      throw new UsageError(
        `The API description ${shown} is not valid JSON (${(error as Error).message}): fix the file or export it again.`,
      );
    }
  }
  const document = parseDocument(text, {
    customTags: cloudFormationTags(),
    prettyErrors: true,
    uniqueKeys: false,
  });
  const [first] = document.errors;
  if (first !== undefined) {
    const line = first.linePos?.[0]?.line;
    const what = first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? first.code;
    throw new UsageError(
      `The API description ${shown} is not valid YAML (${what}${line === undefined ? '' : `, line ${line}`}): fix the file or export it again.`,
    );
  }
  try {
    return { json: document.toJS({ maxAliasCount: 100 }), syntax: 'YAML' };
  } catch (error) {
    // An alias bomb or an alias to nothing: the yaml package refuses to expand it.
    throw new UsageError(
      `The API description ${shown} is YAML that cannot be expanded (${(error as Error).message}): remove the aliases (*name) it uses.`,
    );
  }
}

/** Reads and classifies a description file; `shown` is how the user typed the path. */
export async function loadDescription(path: string, shown: string = path): Promise<LoadedDocument> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(
      code === 'ENOENT'
        ? `The API description ${shown} does not exist: check the path given to --api-spec (or CONTRACT_API_SPEC).`
        : code === 'EISDIR'
          ? `The API description ${shown} is a folder: give the file itself to --api-spec (or CONTRACT_API_SPEC).`
          : `The API description ${shown} cannot be read (${code}): check its permissions.`,
      { cause: error },
    );
  }
  const { json, syntax } = parseDescription(bytes.toString('utf8'), shown);
  const kind = isRecord(json) ? kindOf(json) : undefined;
  if (!isRecord(json) || kind === undefined) {
    throw new UsageError(
      `The API description ${shown} is ${syntax} but not a form this reader knows (no "openapi": "3.x", "swagger": "2.0", or Resources with an AWS::Serverless or AWS::ApiGateway::RestApi resource): ${WHAT_IS_READ}.`,
    );
  }
  return { kind, json, syntax, sha256: sha256(bytes) };
}
