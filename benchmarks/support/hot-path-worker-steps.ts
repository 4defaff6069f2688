/** The steps hot-path-worker.ts can time, apart from the worker so the bench can name them without running it. */
export const HOT_PATH_STEPS = ['authorizer', 'target', 'event', 'integration', 'gateway'] as const;
export type HotPathStep = (typeof HOT_PATH_STEPS)[number];

/** What each step covers, for the bench's table. */
export const HOT_PATH_LABELS: Readonly<Record<HotPathStep, string>> = {
  authorizer: 'authorizer, remembered token',
  target: 'request target parse',
  event: 'proxy event build',
  integration: 'Lambda invocation + result mapping',
  gateway: 'all of the above, per request',
};
