/**
 * Second line of defence for secrets: reporters are configured not to print them, and on top of that
 * every byte a reporter emits (files and console) passes through this redactor first. It replaces each
 * secret in the forms a reporter could produce: raw, JSON-escaped, HTML-escaped and URL-encoded.
 */

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not redacted: replacing e.g. "a" everywhere would shred the report. */
const MIN_SECRET_LENGTH = 6;

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

function variants(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(secret.replace(/[&<>"'`=]/g, (c) => htmlEscapes[c] ?? c));
  forms.add(encodeURIComponent(secret));
  return [...forms];
}

export type Redactor = (text: string) => string;

/** How much of a signature is kept as a form of its own: 43 base64 characters are 258 bits. */
const SIGNATURE_CHUNK = 43;

/**
 * A JWT's signature on its own is a secret too: the collection forges tokens at run time that keep the
 * live signature under a changed header or payload, truncate it, re-encode it in standard base64 or
 * split it with junk characters, and a response that echoes such a token would let anyone reassemble
 * the live one. So the signature is redacted wherever it appears whole, in standard base64, or as its
 * first or last 43 characters (which no forgery leaves out and no guess can reach).
 */
function withJwtSignatures(secret: string): string[] {
  const signature = /^[\w-]+\.[\w-]+\.([\w-]{16,})$/.exec(secret)?.[1];
  if (signature === undefined) return [secret];
  const standard = Buffer.from(signature, 'base64url').toString('base64');
  const forms = [secret, signature, standard];
  for (const form of [signature, standard]) {
    if (form.length > SIGNATURE_CHUNK * 2)
      forms.push(form.slice(0, SIGNATURE_CHUNK), form.slice(-SIGNATURE_CHUNK));
  }
  return forms;
}

export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const forms = redactedForms(secrets);
  if (forms.length === 0) return (text) => text;
  return literalReplacer(forms);
}

/**
 * Every form to replace, longest first, so that a secret that contains another is replaced whole.
 * Exported for the test that holds the replacer to a regular expression of these alternatives.
 */
export function redactedForms(secrets: readonly (string | undefined)[]): readonly string[] {
  const forms = secrets
    .filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH)
    .flatMap(withJwtSignatures)
    .flatMap(variants)
    .sort((a, b) => b.length - a.length);
  return [...new Set(forms)];
}

/**
 * Replaces the forms as `text.replace(/form1|form2|…/g, REDACTED)` would, alternatives longest first,
 * without the regular expression: V8 tries every alternative at every position of the text, about
 * 160 ms per MB of report with the forms of a contract run's dozen tokens, a tenth of the run's CPU
 * (docs/benchmarks.md). Here a position is looked at only when its first two characters can start a
 * form (two lookup tables), and then only the forms sharing its first MIN_SECRET_LENGTH characters are
 * compared, longest first; a match is replaced and the scan goes on after it, as the regex does.
 */
function literalReplacer(forms: readonly string[]): Redactor {
  const first = new Uint8Array(0x10000);
  const second = new Uint8Array(0x10000);
  const byPrefix = new Map<string, string[]>();
  for (const form of forms) {
    first[form.charCodeAt(0)] = 1;
    second[form.charCodeAt(1)] = 1;
    const prefix = form.slice(0, MIN_SECRET_LENGTH);
    const same = byPrefix.get(prefix);
    if (same === undefined) byPrefix.set(prefix, [form]);
    else same.push(form); // forms come longest first, and so stay
  }
  return (text) => {
    let out = '';
    let copied = 0;
    const end = text.length - MIN_SECRET_LENGTH;
    for (let at = 0; at <= end; at++) {
      if (first[text.charCodeAt(at)] === 0 || second[text.charCodeAt(at + 1)] === 0) continue;
      const candidates = byPrefix.get(text.slice(at, at + MIN_SECRET_LENGTH));
      if (candidates === undefined) continue;
      for (const form of candidates) {
        if (!text.startsWith(form, at)) continue;
        out += text.slice(copied, at) + REDACTED;
        copied = at + form.length;
        at = copied - 1;
        break;
      }
    }
    return copied === 0 ? text : out + text.slice(copied);
  };
}

/**
 * Routes a writable's writes through the redactor until the returned function is called. Used around a
 * Newman run so that whatever the cli reporter prints is redacted too.
 */
export function redactWrites(stream: NodeJS.WriteStream, redact: Redactor): () => void {
  const original = stream.write;
  const patched = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk).toString('utf8')
          : chunk;
    // biome-ignore lint/suspicious/noExplicitAny: forwarding the overloaded write() signature unchanged.
    return (original as any).call(this, typeof text === 'string' ? redact(text) : text, ...rest);
  };
  stream.write = patched as typeof stream.write;
  return () => {
    stream.write = original;
  };
}
