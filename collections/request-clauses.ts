/**
 * The request rows' clauses (security/request-catalogue.ts): where and how a request is sent, and the
 * sequences that span requests. collections/generate.ts calls these at each phase of a protected
 * method, for each resource, and at the very end; nothing here is written per route or per row.
 */
import type { ApiSpec, HttpMethod, RouteSpec } from '../api/spec.ts';
import { acceptedTokenOf, authorizerOf, customIdentityHeader, routeKey, scopesOf } from '../api/spec.ts';
import { type Resource, requestPath, type UndefinedPath } from '../api/surface.ts';
import type { FactId } from '../security/facts.ts';
import { weakestGrade } from '../security/facts.ts';
import {
  type Phase,
  REQUEST_ROWS,
  type RequestRow,
  type RequestShape,
} from '../security/request-catalogue.ts';
import type { Expectation, Send, TokenBase } from './clause.ts';
import type { ClauseDraft } from './generate.ts';

/** An expectation and its status in words, both from the same assertions. */
export interface Expecting {
  readonly expect: Expectation;
  readonly expectedStatus: string;
}

/**
 * What a method answers, made by collections/generate.ts from the run's settings (HEAD without bodies,
 * and the like), for a row resting on `facts`.
 */
export interface MethodAnswers {
  readonly unauthorized: (facts: readonly FactId[]) => Expecting;
  readonly accepted: (facts: readonly FactId[]) => Expecting;
  readonly notIntegration: (facts: readonly FactId[]) => Expecting;
}

function expectation(row: RequestRow, answers: MethodAnswers): Expecting & { verb: string } {
  switch (row.expect) {
    case 'unauthorized':
      return { ...answers.unauthorized(row.facts), verb: 'is refused with 401 Unauthorized' };
    case 'accepted':
      return { ...answers.accepted(row.facts), verb: 'is accepted' };
    case 'not-integration':
      return { ...answers.notIntegration(row.facts), verb: 'never reaches the integration' };
  }
}

function sendOf(row: RequestRow, base: TokenBase): Send {
  const shape = row.shape;
  if (shape.built !== undefined)
    return { authorization: 'token', token: { kind: 'request-built', name: shape.built, base }, form: 'raw' };
  if (shape.identityHeaderCase !== undefined)
    return { authorization: 'token', token: { kind: 'live', base }, form: 'raw' };
  return { authorization: 'none' };
}

/** The shape with its header templates filled for this request. */
function filled(shape: RequestShape, values: Readonly<Record<string, string>>): RequestShape {
  if (shape.headers === undefined) return shape;
  const headers = Object.fromEntries(
    Object.entries(shape.headers).map(([name, value]) => [
      name,
      value.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? ''),
    ]),
  );
  return { ...shape, headers };
}

const sequenceSteps = (id: string): readonly RequestRow[] =>
  REQUEST_ROWS.filter((row) => row.sequence === id);

function draft(
  api: ApiSpec,
  row: RequestRow,
  route: RouteSpec,
  answers: MethodAnswers,
  folder: string,
  fields: {
    method: HttpMethod;
    path: string;
    subject: string;
    values: Readonly<Record<string, string>>;
    keyExtra?: string;
  },
): ClauseDraft {
  const { expect, expectedStatus, verb } = expectation(row, answers);
  const identityHeader = customIdentityHeader(authorizerOf(api, route).identityHeader);
  const base = acceptedTokenOf(route);
  const step = row.sequence === undefined ? undefined : sequenceSteps(row.sequence).indexOf(row) + 1;
  return {
    folder,
    kind: 'request',
    keyParts: ['request', row.id, ...(fields.keyExtra ? [fields.keyExtra] : [])],
    method: fields.method,
    resource: route.path,
    path: fields.path,
    name: `${fields.subject}: ${row.clause} ${verb} (${weakestGrade(row.facts)}, docs/reference.md §13)`,
    send: sendOf(row, base),
    expect,
    expectedStatus,
    requestRow: row.id,
    shape: filled(row.shape, fields.values),
    ...(scopesOf(route).length > 0 ? { scopes: scopesOf(route) } : {}),
    ...(row.needs ? { needs: row.needs } : {}),
    ...(identityHeader ? { identityHeader } : {}),
    ...(row.sequence !== undefined && step !== undefined ? { sequence: { id: row.sequence, step } } : {}),
  };
}

/** The clauses of a protected method's rows at one phase (everything but `resource` rows). */
export function methodRequestClauses(
  api: ApiSpec,
  route: RouteSpec,
  phase: Exclude<Phase, 'resource'>,
  answers: MethodAnswers,
): ClauseDraft[] {
  const folder = phase === 'end' ? 'After the contract' : routeKey(route);
  const path = requestPath(route.path);
  return REQUEST_ROWS.filter((row) => row.phase === phase).map((row) =>
    draft(api, row, route, answers, folder, {
      method: route.method,
      path,
      subject: routeKey(route),
      values: { method: route.method, stagePath: `/${api.stage}${path}` },
    }),
  );
}

/** The rows generated once per resource with a protected method. */
const RESOURCE_ROWS = REQUEST_ROWS.filter((row) => row.phase === 'resource');

/**
 * The resource rows left out under an API shape, each group with the reason resourceRequestClauses
 * applies: rows that send an undefined path (none where every path is a resource), and rows that ride
 * on an undefined method (`POST`, sent as the resource's carrier; none where it leaves only HEAD and
 * OPTIONS). generationNotes (./generate.ts) names them by the headers they send, from this same data.
 */
export const UNDEFINED_PATH_ROWS = RESOURCE_ROWS.filter((row) => row.path.kind === 'undefined-path');
export const CARRIED_ROWS = RESOURCE_ROWS.filter((row) => row.method === 'POST');

/** The request headers the rows set, in catalogue order, e.g. `X-Original-URL`. */
export function headersSentBy(rows: readonly RequestRow[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row.shape.headers ?? {})))];
}

/**
 * The undefined method that carries the method-override row's header to the resource, or undefined when
 * the resource leaves none but HEAD or OPTIONS (whose answers differ): then the row is left out, and
 * generationNotes (./generate.ts) says so.
 */
export function overrideCarrier(resource: Resource): HttpMethod | undefined {
  return resource.undefinedMethods.find((method) => method !== 'HEAD' && method !== 'OPTIONS');
}

/** The clauses of the `resource` rows for a resource with a protected method. */
export function resourceRequestClauses(
  api: ApiSpec,
  /** The API's undefined path (api/surface.ts undefinedPath), worked out once per generation. */
  missing: UndefinedPath,
  resource: Resource,
  route: RouteSpec,
  answers: MethodAnswers,
): ClauseDraft[] {
  const folder = `${resource.path}: how it is requested`;
  const path = requestPath(resource.path);
  const carrier = overrideCarrier(resource);
  const drafts: ClauseDraft[] = [];
  // A row sent to another path names its resource in the key, so two resources' clauses stay apart.
  for (const row of RESOURCE_ROWS) {
    const values = { method: route.method, stagePath: `/${api.stage}${path}` };
    if (CARRIED_ROWS.includes(row)) {
      if (carrier === undefined) continue;
      drafts.push(
        draft(api, row, route, answers, folder, {
          method: carrier,
          path,
          subject: `${carrier} ${resource.path}`,
          values,
        }),
      );
      continue;
    }
    // Under a root path parameter every path is a resource: a rewrite header has no other path to ride
    // on (generationNotes says so).
    if (UNDEFINED_PATH_ROWS.includes(row) && !('path' in missing)) continue;
    const spelled =
      row.path.kind === 'spelled'
        ? row.path.make(path)
        : row.path.kind === 'undefined-path' && 'path' in missing
          ? missing.path
          : path;
    drafts.push(
      draft(api, row, route, answers, folder, {
        method: route.method,
        path: spelled,
        subject: `${route.method} ${resource.path}`,
        values,
        ...(row.path.kind === 'undefined-path' ? { keyExtra: `for ${resource.path}` } : {}),
      }),
    );
  }
  return drafts;
}
