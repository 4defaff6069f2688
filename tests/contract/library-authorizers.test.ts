/**
 * Sanity of the authorizers built on real, published JWT library versions (support/library-authorizers.ts)
 * with real parts: the real local stack, a genuine ID token from its Cognito emulator, and the attack
 * catalogue's tokens built on node:crypto (support/catalogue-tokens.ts). Each vulnerable version must
 * accept exactly the rows its table entry lists, no more and no fewer, raw and as Bearer, so that the
 * mutation proof can demand "this library fails exactly these clauses"; each control must refuse every
 * row any vulnerable version falls to. jku/x5u rows point at a loopback server this test runs.
 */
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Authorizer, AuthorizerDecision } from '../../local-stack/gateway/authorizer.ts';
import { emulatorSigningKey } from '../../local-stack/stack.ts';
import { adminSignIn } from '../support/cognito.ts';
import { assertGreeting, assertUnauthorized } from '../support/gateway.ts';
import { getWithAuthorization } from '../support/http.ts';
import { cognitoTarget, useStack } from '../support/stack.ts';
import {
  type AttackerKey,
  type CatalogueInput,
  catalogueTokens,
  generateAttackerKey,
  proposedRows,
  type RowToken,
} from './support/catalogue-tokens.ts';
import {
  asStackAuthorizer,
  type LibraryAuthorizer,
  libraryAuthorizer,
  libraryAuthorizers,
  type PoolKeys,
} from './support/library-authorizers.ts';
import { repoRoot } from './support/variant-run.ts';

function outcome(decision: AuthorizerDecision): 'allow' | 'unauthorized' | 'expired' {
  return decision.effect === 'allow' ? 'allow' : decision.reason;
}

/** Serves the attacker JWKS (jku) and certificate (x5u) on 127.0.0.1 and counts every request. */
async function startAttackerServer(
  attacker: AttackerKey,
): Promise<{ server: Server; url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(request.url ?? '');
    const jwks = request.url === '/jwks.json';
    response.writeHead(200, { 'content-type': jwks ? 'application/json' : 'application/x-pem-file' });
    response.end(jwks ? JSON.stringify(attacker.jwks) : attacker.certificatePem);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/** Runs every token raw and as `Bearer <token>`; the two paths must agree, as API Gateway's do. */
async function acceptedIds(authorizer: Authorizer, rows: readonly RowToken[]): Promise<string[]> {
  const accepted: string[] = [];
  for (const row of rows) {
    const raw = outcome(await authorizer(row.token));
    const bearer = outcome(await authorizer(`Bearer ${row.token}`));
    assert.equal(bearer, raw, `${row.id}: the raw token was ${raw} but the Bearer form was ${bearer}`);
    if (raw === 'allow') accepted.push(row.id);
  }
  return accepted;
}

function inOrder(ids: readonly string[], rows: readonly RowToken[]): string[] {
  return rows.map((r) => r.id).filter((id) => ids.includes(id));
}

function label(entry: LibraryAuthorizer): string {
  return entry.vulnerable ? `${entry.id} (${entry.advisory.join(', ')})` : `${entry.id} (control)`;
}

describe('authorizers built on real published JWT library versions', () => {
  const stack = useStack();
  let pool: PoolKeys;
  let idToken: string;
  let rows: RowToken[];
  let proposed: RowToken[];
  let attackerServer: Awaited<ReturnType<typeof startAttackerServer>>;
  const authorizers = new Map<string, Authorizer>();

  before(async () => {
    const { cognito, jwks } = stack.get();
    const tokens = await adminSignIn(cognitoTarget(stack.get()), cognito.username, cognito.password);
    idToken = tokens.idToken;
    pool = { issuer: cognito.issuer, jwksUri: cognito.jwksUri, jwks: jwks as PoolKeys['jwks'] };
    const attacker = generateAttackerKey();
    attackerServer = await startAttackerServer(attacker);
    const input: CatalogueInput = {
      idToken,
      accessToken: tokens.accessToken,
      poolJwks: pool.jwks,
      attacker,
      jkuUrl: `${attackerServer.url}/jwks.json`,
      x5uUrl: `${attackerServer.url}/attacker.pem`,
      poolPrivateKey: createPrivateKey({ key: emulatorSigningKey().privateJwk, format: 'jwk' }),
    };
    rows = catalogueTokens(input);
    proposed = proposedRows(input);
    for (const entry of libraryAuthorizers) authorizers.set(entry.id, entry.create(pool));
  });

  after(async () => {
    await new Promise((resolve) => attackerServer?.server.close(resolve));
  });

  const authorizerOf = (entry: LibraryAuthorizer): Authorizer => {
    const found = authorizers.get(entry.id);
    assert.ok(found, `no authorizer was built for ${entry.id}`);
    return found;
  };
  const row = (id: string): RowToken => {
    const found = rows.find((r) => r.id === id);
    assert.ok(found, `catalogue-tokens.ts builds no row "${id}"`);
    return found;
  };

  it('names only rows the catalogue helper builds, each entry once, each one installed at its exact version', () => {
    const built = new Set([...rows, ...proposed].map((r) => r.id));
    assert.equal(new Set(libraryAuthorizers.map((e) => e.id)).size, libraryAuthorizers.length);
    for (const entry of libraryAuthorizers) {
      assert.equal(entry.id, `${entry.package}-${entry.version}`);
      for (const id of entry.expectedToFallTo)
        assert.ok(
          rows.some((r) => r.id === id),
          `${entry.id}: ${id}`,
        );
      for (const id of entry.fallsToProposed)
        assert.ok(
          proposed.some((r) => r.id === id),
          `${entry.id}: ${id}`,
        );
      assert.ok([...entry.expectedToFallTo, ...entry.fallsToProposed].every((id) => built.has(id)));
      assert.equal(
        entry.vulnerable,
        entry.advisory.length > 0,
        `${entry.id}: vulnerable means "has an advisory"`,
      );
      const manifest: unknown = JSON.parse(
        readFileSync(join(repoRoot, 'node_modules', entry.installedAs, 'package.json'), 'utf8'),
      );
      assert.deepEqual(
        { name: (manifest as { name?: unknown }).name, version: (manifest as { version?: unknown }).version },
        { name: entry.package, version: entry.version },
        `node_modules/${entry.installedAs} is not ${entry.package}@${entry.version}; run npm ci`,
      );
    }
  });

  for (const entry of libraryAuthorizers) {
    describe(label(entry), () => {
      if (entry.acceptsGenuineTokens) {
        it("allows the pool's genuine ID token, raw and as Bearer", async () => {
          const authorizer = authorizerOf(entry);
          const raw = await authorizer(idToken);
          assert.equal(outcome(raw), 'allow');
          assert.equal(raw.effect === 'allow' && raw.claims.token_use, 'id');
          assert.equal(outcome(await authorizer(`Bearer ${idToken}`)), 'allow');
        });

        it("answers 'expired' for a pool-signed ID token whose exp has passed", async () => {
          assert.equal(outcome(await authorizerOf(entry)(row('expired').token)), 'expired');
        });
      } else {
        it("refuses even the pool's genuine ID token: its CVE's precondition also locks RS256 out", async () => {
          assert.equal(outcome(await authorizerOf(entry)(idToken)), 'unauthorized');
          assert.equal(outcome(await authorizerOf(entry)(row('expired').token)), 'unauthorized');
        });
      }

      it('refuses an RS256 token signed by an attacker key under the pool kid', async () => {
        assert.equal(outcome(await authorizerOf(entry)(row('attacker-key-pool-kid').token)), 'unauthorized');
      });

      const falls = entry.expectedToFallTo.length > 0 ? entry.expectedToFallTo.join(', ') : 'none of them';
      it(`accepts exactly these catalogue rows, raw and as Bearer: ${falls}`, async () => {
        const accepted = await acceptedIds(authorizerOf(entry), rows);
        assert.deepEqual(accepted, inOrder(entry.expectedToFallTo, rows));
      });

      const extra = entry.fallsToProposed.length > 0 ? entry.fallsToProposed.join(', ') : 'none of them';
      it(`accepts exactly these attacks the catalogue lacks: ${extra}`, async () => {
        const accepted = await acceptedIds(authorizerOf(entry), proposed);
        assert.deepEqual(accepted, inOrder(entry.fallsToProposed, proposed));
      });
    });
  }

  it('has every control refuse every catalogue row a vulnerable version falls to, except its own listed ones', async () => {
    const fallenTo = new Set(
      libraryAuthorizers.filter((e) => e.vulnerable).flatMap((e) => e.expectedToFallTo),
    );
    assert.ok(fallenTo.size > 0, 'no vulnerable version falls to any row: nothing was proven');
    for (const control of libraryAuthorizers.filter((e) => !e.vulnerable)) {
      const accepted = await acceptedIds(
        authorizerOf(control),
        rows.filter((r) => fallenTo.has(r.id)),
      );
      assert.deepEqual(accepted, inOrder(control.expectedToFallTo, rows), control.id);
    }
  });

  it('made no library fetch the jku or x5u URL the tokens carry (only loopback was offered)', () => {
    assert.match(attackerServer.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(attackerServer.hits, []);
  });
});

describe('a local gateway whose authorizer is node-jose 0.10.0 (CVE-2018-0114)', () => {
  const stack = useStack({ authorizer: asStackAuthorizer(libraryAuthorizer('node-jose-0.10.0').create) });
  let input: CatalogueInput;

  before(async () => {
    const { cognito, jwks } = stack.get();
    const tokens = await adminSignIn(cognitoTarget(stack.get()), cognito.username, cognito.password);
    input = {
      idToken: tokens.idToken,
      accessToken: tokens.accessToken,
      poolJwks: jwks as PoolKeys['jwks'],
      attacker: generateAttackerKey(),
      // Rows that need these URLs are not sent here; nothing listens on them.
      jkuUrl: 'http://127.0.0.1:9/jwks.json',
      x5uUrl: 'http://127.0.0.1:9/attacker.pem',
    };
  });

  const send = (token: string) => getWithAuthorization(`${stack.get().apiUrl}/hello`, `Bearer ${token}`);
  const rowToken = (id: string) => {
    const found = catalogueTokens(input).find((r) => r.id === id);
    assert.ok(found, id);
    return found.token;
  };

  it('serves the greeting for the genuine ID token over real HTTP', async () => {
    assertGreeting(await send(input.idToken));
  });

  it('serves the greeting for a token carrying its own attacker key in jwk: the weakness reaches the Lambda', async () => {
    assertGreeting(await send(rowToken('jwk-injection')));
  });

  it('still answers 401 Unauthorized for an attacker-signed token without an embedded key', async () => {
    assertUnauthorized(await send(rowToken('attacker-key-pool-kid')));
  });
});
