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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
  const forms = secrets
    .filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH)
    .flatMap(withJwtSignatures)
    .flatMap(variants)
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp([...new Set(forms)].map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
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
