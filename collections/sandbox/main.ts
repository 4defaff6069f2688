/**
 * The collection's sandbox library as one module: what the collection-level scripts call,
 * `contract.beforeRequest(pm)` before each request and `contract.check(pm)` after it.
 * collections/sandbox-bundle.ts bundles this file with everything it imports into the pre-request
 * script, where its exports become the run-wide `contract` object.
 */
import { attackBuilders, type SandboxAttacker } from './attack-builders.ts';
import { ensureScopedToken } from './client-credentials.ts';
import { createContract } from './contract-lib.ts';
import { signInEnsureTokens } from './sign-in.ts';

// Replaced at bundle time (esbuild's `define`, collections/sandbox-bundle.ts): the digest of the
// library's sources, and the committed attacker key, which is read and checked in Node.
declare const CONTRACT_VERSION: string;
declare const CONTRACT_ATTACKER: SandboxAttacker;

export const { version, beforeRequest, prepare, check } = createContract({
  version: CONTRACT_VERSION,
  builders: attackBuilders,
  // The user's tokens, then the client_credentials token of the API's custom scopes where configured.
  signIn: (pm, done) => signInEnsureTokens(pm, () => ensureScopedToken(pm, done)),
  attacker: CONTRACT_ATTACKER,
});
