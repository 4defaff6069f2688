/**
 * What the secret-hygiene test and its child process (hygiene-run.ts) share: the runs' modes and the
 * marker that starts each run's part of the child's output. Its own module, so the test does not load
 * the stack and the runner only to read two constants.
 */

/** Starts each run's part of stdout and stderr, followed by the mode and a newline. */
export const MARKER = '\u0000hygiene-run ';
export const MODES = ['local', 'echo', 'aws-secret'] as const;
export type Mode = (typeof MODES)[number];
