/**
 * Modular exponentiation on BigInt, for the RSA signatures the Postman sandbox forges
 * (collections/sandbox/sandbox-crypto.ts) and for Cognito's SRP on both sides of the sign-in
 * (common/cognito-srp-core.ts). Sandbox-safe: no Node API.
 *
 * BigInt is reached through `BigInt(...)` calls, never `1n` literals: the standalone sandboxCrypto
 * script imports this file, and a literal is a syntax error in a sandbox without BigInt that would take
 * the whole script down, where a call fails only the function that needs it.
 */

/**
 * base^exponent mod modulus for a non-negative exponent and a positive modulus; a negative base is
 * taken mod modulus first (SRP's B - k*g^x can be negative). Left-to-right with a fixed 4-bit window:
 * one multiplication per hex digit of the exponent instead of one per set bit, about 20% fewer than
 * square-and-multiply for a random exponent.
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  const zero = BigInt(0);
  const one = BigInt(1);
  const first = ((base % modulus) + modulus) % modulus;
  const table: bigint[] = [one % modulus, first];
  for (let i = 2; i < 16; i++) table.push(((table[i - 1] ?? zero) * first) % modulus);
  const digits = exponent.toString(16);
  let result = one % modulus;
  for (let i = 0; i < digits.length; i++) {
    if (i > 0) {
      for (let k = 0; k < 4; k++) result = (result * result) % modulus;
    }
    const digit = Number.parseInt(digits.charAt(i), 16);
    if (digit !== 0) result = (result * (table[digit] ?? zero)) % modulus;
  }
  return result;
}
