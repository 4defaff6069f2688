/**
 * How a clause's expectation is made: every assertion is data that names the graded facts it rests on
 * (security/facts.ts), and is kept or left out here, before generation, by the settings the run was
 * given. The sandbox (collections/sandbox/contract-lib.ts) checks exactly the assertions it is handed
 * and reads no setting to change them; the reports (contract-runner/) say what was asserted, on which
 * facts and how sure each one is, from the same data.
 *
 * - A firm or likely fact is asserted (a likely one is named in the failure as the first suspect).
 * - An assertion resting on an open fact is left out, and listed as unasserted, unless the settings
 *   opt in for that fact (`--strict FACT[,FACT]` or `--strict all` on `npm run contract`); it then
 *   asserts the project's documented guess.
 */
import type { AuthorizedAnswer, HttpMethod } from '../api/spec.ts';
import { decimalNumber, listOf, wholeNumber } from '../common/args.ts';
import { UsageError } from '../common/cli-error.ts';
import { type AttackRow, DEFECTS, type Defect, type Refusal } from '../security/catalogue.ts';
import { FACTS, type FactId, type Grade, STRICT_FACTS, weakestGrade } from '../security/facts.ts';
import { DEFAULT_REFUSAL_HEADERS, SLOWDOWN_DEFAULTS } from '../security/refusal-bounds.ts';
import type { Check } from './checks.ts';

export { type Check, describeCheck } from './checks.ts';

export const UNAUTHORIZED = '{"message":"Unauthorized"}';
export const EXPIRED = '{"message":"The incoming token has expired"}';
export const MISSING_AUTHENTICATION_TOKEN = '{"message":"Missing Authentication Token"}';

/** A check with the facts it rests on and how sure the least sure of them is. */
export type Assertion = Check & { readonly facts: readonly FactId[]; readonly grade: Grade };

/**
 * What a run's expectations are settled with, before generation: the open facts it asserts beyond the
 * firm and likely ones (none by default, some, or all), the headers a refusal may carry beyond API
 * Gateway's own (a deployment's CORS or customised gateway responses), and the slowdown bound.
 */
export interface ExpectationSettings {
  readonly strict: 'all' | readonly FactId[];
  /** Headers a refusal may carry beyond DEFAULT_REFUSAL_HEADERS (default none). */
  readonly refusalHeaders?: readonly string[];
  /** A refusal takes at most factor × the slowest accepted answer + marginMs (default SLOWDOWN_DEFAULTS). */
  readonly slowdown?: { readonly factor: number; readonly marginMs: number };
}

/** The refusal-header allow-list a run's clauses carry: API Gateway's own and the settings' own. */
export function refusalAllowList(settings: ExpectationSettings): string[] {
  return [...new Set([...DEFAULT_REFUSAL_HEADERS, ...(settings.refusalHeaders ?? [])])];
}

/** The slowdown bound a run's clauses carry. */
export function slowdownOf(settings: ExpectationSettings): { factor: number; marginMs: number } {
  return { ...SLOWDOWN_DEFAULTS, ...(settings.slowdown ?? {}) };
}

export const DEFAULT_SETTINGS: ExpectationSettings = { strict: [] };

/**
 * The settings from `--strict` (or CONTRACT_STRICT): a comma-separated list of open fact ids, or `all`;
 * undefined when not given. A wrong id is a usage error that lists the ids there are (exit code 2).
 */
export function parseStrict(source: string, value: string | undefined): ExpectationSettings | undefined {
  const chosen = listOf(source, value, [...STRICT_FACTS, 'all'] as const);
  if (chosen === undefined) return undefined;
  if (chosen.includes('all')) return { strict: 'all' };
  return { strict: chosen.filter((id): id is FactId => id !== 'all') };
}

/** Where each refusal bound comes from: a flag of npm run contract / collection, or its variable. */
export interface RefusalBoundValues {
  readonly refusalHeaders?: { readonly source: string; readonly value: string | undefined };
  readonly slowdownFactor?: { readonly source: string; readonly value: string | undefined };
  readonly slowdownMarginMs?: { readonly source: string; readonly value: string | undefined };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The refusal bounds a run sets (the headers a refusal may carry beyond API Gateway's own, the slowdown
 * factor and margin), merged into `settings`; a wrong value is a usage error (exit code 2) naming it.
 */
export function withRefusalSettings(
  settings: ExpectationSettings,
  values: RefusalBoundValues,
): ExpectationSettings {
  const headers = values.refusalHeaders;
  let refusalHeaders: string[] | undefined;
  if (headers?.value !== undefined) {
    refusalHeaders = headers.value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const bad = refusalHeaders.filter((name) => !HEADER_NAME.test(name));
    if (bad.length > 0)
      throw new UsageError(
        `${headers.source.startsWith('--') ? `Flag ${headers.source}` : headers.source} must be comma-separated header names, not ${bad.map((name) => JSON.stringify(name)).join(', ')}.`,
      );
  }
  const factor = values.slowdownFactor
    ? decimalNumber(values.slowdownFactor.source, values.slowdownFactor.value, {
        min: 1,
        max: 1000,
        unit: 'times the slowest accepted answer',
      })
    : undefined;
  const marginMs = values.slowdownMarginMs
    ? wholeNumber(values.slowdownMarginMs.source, values.slowdownMarginMs.value, { min: 0, max: 600000 })
    : undefined;
  const slowdown =
    factor === undefined && marginMs === undefined
      ? settings.slowdown
      : {
          ...slowdownOf(settings),
          ...(factor === undefined ? {} : { factor }),
          ...(marginMs === undefined ? {} : { marginMs }),
        };
  return {
    ...settings,
    ...(refusalHeaders === undefined ? {} : { refusalHeaders }),
    ...(slowdown === undefined ? {} : { slowdown }),
  };
}

/** Whether the settings differ from the committed collection's (which then cannot be used as it is). */
export function differsFromDefault(settings: ExpectationSettings): boolean {
  return (
    strictFacts(settings).length > 0 ||
    (settings.refusalHeaders ?? []).length > 0 ||
    (settings.slowdown !== undefined &&
      (settings.slowdown.factor !== SLOWDOWN_DEFAULTS.factor ||
        settings.slowdown.marginMs !== SLOWDOWN_DEFAULTS.marginMs))
  );
}

/** The open facts a setting opts in for, in the table's order. */
export function strictFacts(settings: ExpectationSettings): FactId[] {
  return settings.strict === 'all'
    ? [...STRICT_FACTS]
    : STRICT_FACTS.filter((id) => settings.strict.includes(id));
}

/** The assertions a clause makes, and those it leaves out because they rest on an open fact. */
export interface Assertions {
  readonly assertions: readonly Assertion[];
  readonly unasserted: readonly Assertion[];
}

type Candidate = Check & { readonly facts: readonly FactId[] };

function on(facts: readonly FactId[], check: Check): Candidate {
  return { ...check, facts: [...new Set(facts)] };
}

/** Keeps what rests on firm, likely or opted-in facts; the rest is reported as unasserted. */
export function settle(candidates: readonly Candidate[], settings: ExpectationSettings): Assertions {
  const opted = new Set<FactId>(strictFacts(settings));
  const assertions: Assertion[] = [];
  const unasserted: Assertion[] = [];
  for (const candidate of candidates) {
    const assertion: Assertion = { ...candidate, grade: weakestGrade(candidate.facts) };
    const open = candidate.facts.filter((id) => FACTS[id].grade === 'open' && !opted.has(id));
    (open.length === 0 ? assertions : unasserted).push(assertion);
  }
  return { assertions, unasserted };
}

/** The refusal's checks beyond status: body, JSON, error type, no integration. */
function gatewayError(
  status: readonly FactId[],
  fields: {
    readonly status: number;
    readonly body?: { readonly equals: string; readonly facts: readonly FactId[] };
    readonly errorType: { readonly equals: string; readonly facts: readonly FactId[] };
    readonly absent: string | undefined;
  },
): Candidate[] {
  return [
    on(status, { check: 'status', equals: fields.status }),
    ...(fields.body ? [on(fields.body.facts, { check: 'body', equals: fields.body.equals })] : []),
    on([...status, 'error-is-json'], { check: 'json' }),
    on(fields.errorType.facts, { check: 'error-type', equals: fields.errorType.equals }),
    ...absent(status, fields.absent),
  ];
}

function absent(facts: readonly FactId[], text: string | undefined): Candidate[] {
  return text === undefined ? [] : [on([...facts, 'refusal-skips-integration'], { check: 'absent', text })];
}

/** A defined method without an Authorization header. */
export function noHeaderAssertions(
  absentText: string | undefined,
  settings: ExpectationSettings,
): Assertions {
  return settle(
    gatewayError(['no-header-refused'], {
      status: 401,
      body: { equals: UNAUTHORIZED, facts: ['no-header-refused'] },
      errorType: { equals: 'UnauthorizedException', facts: ['no-header-refused'] },
      absent: absentText,
    }),
    settings,
  );
}

/** The genuine token is let through and gets the method's answer (`also`: what else that rests on). */
export function acceptedAssertions(
  answer: AuthorizedAnswer | undefined,
  how: { readonly base: 'id' | 'access'; readonly bearer: boolean },
  settings: ExpectationSettings,
  also: readonly FactId[] = [],
): Assertions {
  const passes: FactId[] = [how.base === 'id' ? 'id-token-accepted' : 'scope-access-accepted', ...also];
  if (how.bearer) passes.push('bearer-accepted');
  if (answer === undefined) return settle([on(passes, { check: 'let-through' })], settings);
  const facts: FactId[] = [...passes, 'integration-answer'];
  return settle(
    [
      on(facts, { check: 'status', equals: answer.status }),
      ...(answer.body === undefined ? [] : [on(facts, { check: 'body', equals: answer.body })]),
      ...(answer.contentType === undefined
        ? []
        : [on(facts, { check: 'content-type', equals: answer.contentType })]),
    ],
    settings,
  );
}

interface DefectAnswer {
  readonly refused: FactId;
  readonly status: { readonly equals: number } | { readonly min: 400; readonly max: 499 };
  readonly body?: { readonly equals: string; readonly facts: readonly FactId[] };
  readonly errorType?: { readonly equals: string; readonly facts: readonly FactId[] };
}

function defectAnswer(defect: Defect): DefectAnswer {
  const { answer, fact }: { answer: Refusal; fact: FactId } = DEFECTS[defect];
  switch (answer) {
    case 'unauthorized':
      return {
        refused: fact,
        status: { equals: 401 },
        body: { equals: UNAUTHORIZED, facts: [fact] },
        errorType: { equals: 'UnauthorizedException', facts: [fact] },
      };
    case 'expired':
      return {
        refused: fact,
        status: { equals: 401 },
        body: { equals: EXPIRED, facts: [fact] },
        errorType: { equals: 'UnauthorizedException', facts: [fact, 'expired-error-type'] },
      };
    case 'client-error':
      return { refused: fact, status: { min: 400, max: 499 } };
  }
}

const GRADE_ORDER: readonly Grade[] = ['firm', 'likely', 'open'];

/** Two checks of the same field agree when they assert the same value, on facts that are not open. */
function agree(
  fields: readonly ({ readonly equals: string; readonly facts: readonly FactId[] } | undefined)[],
): fields is readonly { readonly equals: string; readonly facts: readonly FactId[] }[] {
  const [first] = fields;
  return (
    first !== undefined &&
    fields.every(
      (field) =>
        field !== undefined &&
        field.equals === first.equals &&
        field.facts.every((id) => FACTS[id].grade !== 'open'),
    )
  );
}

/**
 * A catalogue row's refusal. One defect: that defect's refusal. Several: the token is refused if any
 * defect alone is sure to be refused; its status is asserted when every defect's refusal has the same
 * one; its body and error type, when every defect's refusal agrees on facts that are not open, and
 * otherwise only with the open fact `several-defects` opted in (then the first defect's).
 */
export function rowAssertions(
  row: AttackRow,
  absentText: string | undefined,
  settings: ExpectationSettings,
): Assertions {
  const answers = row.defects.map(defectAnswer);
  const [first] = answers as [DefectAnswer, ...DefectAnswer[]];
  const refusedBy = answers
    .map((answer) => answer.refused)
    .sort((a, b) => GRADE_ORDER.indexOf(FACTS[a].grade) - GRADE_ORDER.indexOf(FACTS[b].grade))[0] as FactId;
  const several = answers.length > 1;
  const candidates: Candidate[] = [
    on([refusedBy], { check: 'refused' }),
    on(['token-never-5xx'], { check: 'not-5xx' }),
  ];
  const statuses = answers.map((answer) => ('equals' in answer.status ? answer.status.equals : 0));
  if ('equals' in first.status && statuses.every((status) => status === statuses[0])) {
    const facts: FactId[] = several ? [refusedBy, 'token-refusal-401'] : [first.refused];
    candidates.push(on(facts, { check: 'status', equals: first.status.equals }));
  } else {
    candidates.push(on([refusedBy, 'broken-token-4xx'], { check: 'status-range', min: 400, max: 499 }));
  }
  const field = (pick: (answer: DefectAnswer) => DefectAnswer['body']) => {
    const values = answers.map(pick);
    if (!several || agree(values)) {
      const chosen = values[0];
      return chosen === undefined
        ? undefined
        : { equals: chosen.equals, facts: values.flatMap((value) => value?.facts ?? []) };
    }
    const chosen = values[0];
    return chosen === undefined
      ? undefined
      : { equals: chosen.equals, facts: ['several-defects' as const, ...chosen.facts] };
  };
  const body = field((answer) => answer.body);
  const errorType = field((answer) => answer.errorType);
  if (body) candidates.push(on(body.facts, { check: 'body', equals: body.equals }));
  if (body || errorType) candidates.push(on([refusedBy, 'error-is-json'], { check: 'json' }));
  if (errorType) candidates.push(on(errorType.facts, { check: 'error-type', equals: errorType.equals }));
  candidates.push(...absent([refusedBy], absentText));
  return settle(candidates, settings);
}

/**
 * A method the resource does not define, sent without a token, with one in Authorization (a SigV4
 * complaint), or with one in a custom identity header only (no credentials at all).
 */
export function undefinedRouteAssertions(
  method: HttpMethod,
  token: 'none' | 'authorization' | 'custom-header',
  absentText: string | undefined,
  settings: ExpectationSettings,
): Assertions {
  const fact: FactId =
    token === 'none'
      ? 'undefined-route-refused'
      : token === 'authorization'
        ? 'undefined-route-sigv4'
        : 'undefined-route-custom-header';
  // The SigV4 complaint's text is open with no guess, so never checked (a HEAD answer's, absent, is: onHead).
  const sigv4 = token === 'authorization';
  return settle(
    gatewayError([fact], {
      status: 403,
      ...(sigv4 ? {} : { body: { equals: MISSING_AUTHENTICATION_TOKEN, facts: [fact] } }),
      errorType: {
        equals: sigv4 ? 'IncompleteSignatureException' : 'MissingAuthenticationTokenException',
        facts: [fact],
      },
      absent: method === 'HEAD' ? undefined : absentText,
    }),
    settings,
  );
}

/**
 * The same assertions for a HEAD request: no body is ever looked for, an empty one is asserted
 * (docs/reference.md §14, firm), and a refusal's status and headers rest also on HEAD errors being
 * like the same error on other methods (likely).
 */
export function onHead(made: Assertions, answer: 'refusal' | 'accepted'): Assertions {
  const adjust = (list: readonly Assertion[]): Assertion[] =>
    list
      .filter((assertion) => assertion.check !== 'body' && assertion.check !== 'absent')
      .map((assertion) => {
        if (answer === 'accepted' || !['status', 'json', 'error-type'].includes(assertion.check))
          return assertion;
        const facts: FactId[] = [...new Set<FactId>([...assertion.facts, 'head-error-as-get'])];
        return { ...assertion, facts, grade: weakestGrade(facts) };
      });
  const empty: Assertion = { check: 'body', equals: '', facts: ['head-no-body'], grade: 'firm' };
  return { assertions: [...adjust(made.assertions), empty], unasserted: adjust(made.unasserted) };
}

/**
 * A refusal whose exact answer is not firm: never let through, never a 5xx, never the integration, all
 * on `facts`; its status check (`status`) rests on `facts` and the fact that grades that status.
 */
function refusedNot5xx(
  facts: readonly FactId[],
  status: { readonly fact: FactId; readonly check: Check },
  absentText: string | undefined,
  settings: ExpectationSettings,
): Assertions {
  return settle(
    [
      on(facts, { check: 'refused' }),
      on(facts, { check: 'not-5xx' }),
      on([...facts, status.fact], status.check),
      ...absent(facts, absentText),
    ],
    settings,
  );
}

const ANY_4XX: Check = { check: 'status-range', min: 400, max: 499 };

/** A spelling variant of a protected path, without a token. */
export function pathVariantAssertions(
  absentText: string | undefined,
  settings: ExpectationSettings,
): Assertions {
  return refusedNot5xx(
    ['path-variant-not-integration'],
    { fact: 'path-variant-status', check: ANY_4XX },
    absentText,
    settings,
  );
}

/** A scoped method refusing the ID token or an access token without one of its scopes. */
export function scopeRefusalAssertions(
  absentText: string | undefined,
  settings: ExpectationSettings,
): Assertions {
  return refusedNot5xx(
    ['scope-refused'],
    { fact: 'scope-refusal-status', check: { check: 'status', equals: 401 } },
    absentText,
    settings,
  );
}

/**
 * A request row refused like a request without a token (docs/reference.md §13): 401 Unauthorized,
 * API Gateway's JSON error, never the integration, on the row's facts.
 */
export function requestRefusalAssertions(
  facts: readonly FactId[],
  absentText: string | undefined,
  settings: ExpectationSettings,
): Assertions {
  return settle(
    [
      on(facts, { check: 'refused' }),
      ...gatewayError(facts, {
        status: 401,
        body: { equals: UNAUTHORIZED, facts },
        errorType: { equals: 'UnauthorizedException', facts },
        absent: absentText,
      }),
    ],
    settings,
  );
}

/**
 * A request row that is not the method (another spelling, an override, another Host): never let
 * through, never a 5xx, never the integration; which 4xx is open (`request-variant-status`).
 */
export function requestVariantAssertions(
  facts: readonly FactId[],
  absentText: string | undefined,
  settings: ExpectationSettings,
): Assertions {
  return refusedNot5xx(facts, { fact: 'request-variant-status', check: ANY_4XX }, absentText, settings);
}

/** Whether the assertions hold an answer to a refusal (not let through, a 4xx, or a gateway error). */
function isRefusal(assertions: readonly Assertion[]): boolean {
  return assertions.some(
    (assertion) =>
      assertion.check === 'refused' ||
      assertion.check === 'error-type' ||
      (assertion.check === 'status' && assertion.equals >= 400) ||
      (assertion.check === 'status-range' && assertion.min >= 400),
  );
}

/**
 * What every refusal is held to beyond its answer: API Gateway's error carries only the allow-listed
 * headers (§13.3, where its error type is asserted), and no refusal is slower than the bound (§13.8).
 * Both are made here from the settings; the sandbox reads neither from a variable.
 */
export function withRefusalBounds(
  made: Assertions,
  settings: ExpectationSettings,
  /** Whether an accepted answer is timed before this clause in the run (the bound's yardstick). */
  timed = true,
): Assertions {
  // Only where a refusal is asserted: a row whose refusal is open (odd claims) gets them with --strict.
  if (!isRefusal(made.assertions)) return made;
  const extra: Candidate[] = [];
  if (made.assertions.some((assertion) => assertion.check === 'error-type'))
    extra.push(
      on(['refusal-headers-own'], { check: 'refusal-headers', allowed: refusalAllowList(settings) }),
    );
  // Before any accepted answer there is nothing to compare with: no bound rather than a skipped one.
  if (timed) extra.push(on(['refusal-not-slower'], { check: 'no-slowdown', ...slowdownOf(settings) }));
  const bounds = settle(extra, settings);
  return {
    assertions: [...made.assertions, ...bounds.assertions],
    unasserted: [...made.unasserted, ...bounds.unasserted],
  };
}

/**
 * The expected status in words, from what is asserted: the one summary.json, JUnit and the HTML
 * report show, so that it never says more or less than the sandbox checks.
 */
export function expectedStatusOf(assertions: readonly Assertion[]): string {
  const exact = assertions.find((assertion) => assertion.check === 'status');
  if (exact?.check === 'status') return String(exact.equals);
  const range = assertions.find((assertion) => assertion.check === 'status-range');
  if (range?.check === 'status-range')
    return range.min === 400 && range.max === 499 ? '4xx' : `${range.min}-${range.max}`;
  const refused = assertions.some((assertion) => assertion.check === 'refused');
  const not5xx = assertions.some((assertion) => assertion.check === 'not-5xx');
  if (refused && not5xx) return 'not 2xx or 3xx, not 5xx';
  if (refused) return 'not 2xx or 3xx';
  if (not5xx) return 'not 5xx';
  if (assertions.some((assertion) => assertion.check === 'let-through'))
    return 'not 401/403 from the gateway';
  return 'any';
}
