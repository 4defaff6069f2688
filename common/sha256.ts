/**
 * The hex SHA-256 of some bytes: the digest provenance records (a collection's, an environment
 * template's, an API description's bytes as read).
 */
import { createHash } from 'node:crypto';

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
