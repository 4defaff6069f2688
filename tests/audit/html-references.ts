/**
 * What "renders offline" means for a saved HTML file, as checks on its text: nothing the browser would
 * fetch. No script, no stylesheet link, no embedded resource; every href a fragment or a relative path
 * without a scheme; no url() or @import in CSS; a CSP that forbids fetching. Absolute URLs may appear
 * only as text naming the system under test (the API URL, the issuer), never as a reference.
 */
import assert from 'node:assert/strict';

const EMBEDDING_TAGS =
  /<\s*(script|link|img|iframe|frame|object|embed|video|audio|source|track|picture|base|svg|math)\b/gi;
const FETCHING_ATTRIBUTES = /\s(src|srcset|action|formaction|data|poster|background|ping|xlink:href)\s*=/gi;
const HREF = /\shref\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi;

export function assertSelfContained(html: string, allowedOrigins: readonly string[], label: string): void {
  const tags = [...html.matchAll(EMBEDDING_TAGS)].map((m) => m[0]);
  assert.deepEqual(tags, [], `${label}: elements that load resources`);
  const attributes = [...html.matchAll(FETCHING_ATTRIBUTES)].map((m) => m[0].trim());
  assert.deepEqual(attributes, [], `${label}: attributes that fetch`);

  const hrefs = [...html.matchAll(HREF)].map((m) => m[2] ?? m[3] ?? m[4] ?? '');
  const external = hrefs.filter((href) => !/^(#[\w-]*|\.\/[^:]*)$/.test(href));
  assert.deepEqual(external, [], `${label}: links that are neither fragments nor ./relative`);

  const css = [...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>|\sstyle\s*=\s*"([^"]*)"/gi)]
    .map((m) => m[1] ?? m[2] ?? '')
    .join('\n');
  assert.doesNotMatch(css, /url\s*\(|@import|@font-face/i, `${label}: CSS that fetches`);

  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/,
    `${label}: no CSP forbidding fetches`,
  );

  // As text, only URLs with a scheme name another system: a bare "//" is a path (a clause about
  // /dev//hello) or base64 (a request id); as a reference it is caught by the href check above.
  const absolute = [...html.matchAll(/https?:\/\/[^\s"'<>]+/gi)].map((m) => m[0]);
  const foreign = absolute.filter((url) => !allowedOrigins.some((origin) => url.startsWith(origin)));
  assert.deepEqual(foreign, [], `${label}: absolute URLs other than the system under test`);
}
