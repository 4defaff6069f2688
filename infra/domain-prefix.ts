/**
 * The Cognito domain prefix is global per region, so a fixed default would collide between accounts.
 * Checked here, before CloudFormation, because a rejected prefix otherwise surfaces minutes into a deploy.
 */

// Cognito's own rule, plus its reserved words: a prefix containing them is refused at create time.
const PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_WORDS = ['aws', 'amazon', 'cognito'] as const;

export function checkDomainPrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(
      `Cognito domain prefix "${prefix}" is invalid. Expected: 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen.`,
    );
  }
  const reserved = RESERVED_WORDS.find((word) => prefix.includes(word));
  if (reserved !== undefined) {
    throw new Error(
      `Cognito domain prefix "${prefix}" contains the reserved word "${reserved}". Expected: a prefix without it.`,
    );
  }
  return prefix;
}
