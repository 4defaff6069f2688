/**
 * Newman's JUnit reporter writes a skipped test as a bare <testcase/>, which every CI reads as passed,
 * and sets the root `tests` to the number of test scripts (docs/reference.md §7). This marks each testcase
 * that was skipped every time it ran with <skipped/>, and recounts the suite and root attributes from
 * the testcases, so CI shows a skipped clause as skipped and its totals add up.
 *
 * The XML comes from newman 6's own reporter (xmlbuilder), so it is edited as text, not parsed: CDATA
 * sections (failure messages, which may quote a response) are stepped over whole, and attribute
 * values are matched between quotes because xmlbuilder escapes `"` in them but not `>`.
 */

const ATTRS = String.raw`(?:\s+[\w:.-]+="[^"]*")*`;
const TOKEN = new RegExp(
  String.raw`<!\[CDATA\[[\s\S]*?\]\]>|<testsuites\b${ATTRS}\s*>|<testsuite\b${ATTRS}\s*/?>|<testcase\b${ATTRS}\s*/?>|<failure\b`,
  'g',
);

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(String.raw`\s${name}="([^"]*)"`).exec(tag);
  return match?.[1];
}

function withAttribute(tag: string, name: string, value: number): string {
  const existing = new RegExp(String.raw`(\s${name}=")[^"]*(")`);
  if (existing.test(tag)) return tag.replace(existing, `$1${value}$2`);
  return tag.replace(/\s*(\/?)>$/, ` ${name}="${value}"$1>`);
}

/** The inverse of xmlbuilder's attribute escaping, so names compare as the reporter saw them. */
function unescapeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&apos;/g, "'")
    .replace(/&#x9;/g, '\t')
    .replace(/&#xA;/g, '\n')
    .replace(/&#xD;/g, '\r')
    .replace(/&amp;/g, '&');
}

interface ExecutionLike {
  readonly item?: { readonly id?: unknown };
  readonly id?: unknown;
  readonly assertions?: readonly { readonly assertion?: unknown; readonly skipped?: unknown }[];
}

/**
 * Per item id, the assertion names that were skipped each time they were recorded (an assertion that
 * passed or failed even once is not skipped).
 */
export function skippedAssertionsByItem(executions: readonly unknown[]): Map<string, Set<string>> {
  const skipped = new Map<string, Set<string>>();
  const ran = new Map<string, Set<string>>();
  for (const raw of executions) {
    const execution = (typeof raw === 'object' && raw !== null ? raw : {}) as ExecutionLike;
    const itemId = execution.item?.id ?? execution.id;
    if (typeof itemId !== 'string') continue;
    for (const assertion of execution.assertions ?? []) {
      if (typeof assertion.assertion !== 'string') continue;
      const bucket = assertion.skipped === true ? skipped : ran;
      const names = bucket.get(itemId) ?? new Set<string>();
      names.add(assertion.assertion);
      bucket.set(itemId, names);
    }
  }
  for (const [itemId, names] of skipped) {
    for (const name of ran.get(itemId) ?? []) names.delete(name);
  }
  return skipped;
}

interface SuiteCounts {
  index: number;
  tests: number;
  skipped: number;
}

export function markSkippedTestcases(xml: string, skipped: ReadonlyMap<string, ReadonlySet<string>>): string {
  const parts: string[] = [];
  let last = 0;
  let rootIndex: number | undefined;
  let suite: (SuiteCounts & { names: ReadonlySet<string> }) | undefined;
  const suites: SuiteCounts[] = [];
  let failures = 0;
  let errors = 0;

  for (const match of xml.matchAll(TOKEN)) {
    const token = match[0];
    parts.push(xml.slice(last, match.index));
    last = match.index + token.length;
    let replaced = token;
    if (token.startsWith('<testsuites')) {
      rootIndex = parts.length;
    } else if (token.startsWith('<testsuite')) {
      const id = attribute(token, 'id');
      suite = { index: parts.length, tests: 0, skipped: 0, names: skipped.get(id ?? '') ?? new Set() };
      suites.push(suite);
      errors += Number(attribute(token, 'errors') ?? 0) || 0;
    } else if (token.startsWith('<testcase') && suite) {
      suite.tests += 1;
      const name = unescapeAttribute(attribute(token, 'name') ?? '');
      // Only a self-closing testcase has no <failure>: a failed one is never turned into a skip.
      if (token.endsWith('/>') && suite.names.has(name)) {
        suite.skipped += 1;
        replaced = `${token.replace(/\s*\/>$/, '>')}<skipped/></testcase>`;
      }
    } else if (token === '<failure') {
      failures += 1;
    }
    parts.push(replaced);
  }
  parts.push(xml.slice(last));

  for (const counts of suites) {
    const tag = parts[counts.index] ?? '';
    parts[counts.index] = withAttribute(withAttribute(tag, 'tests', counts.tests), 'skipped', counts.skipped);
  }
  if (rootIndex !== undefined) {
    let tag = parts[rootIndex] ?? '';
    tag = withAttribute(
      tag,
      'tests',
      suites.reduce((sum, s) => sum + s.tests, 0),
    );
    tag = withAttribute(tag, 'failures', failures);
    tag = withAttribute(tag, 'errors', errors);
    tag = withAttribute(
      tag,
      'skipped',
      suites.reduce((sum, s) => sum + s.skipped, 0),
    );
    parts[rootIndex] = tag;
  }
  return parts.join('');
}
