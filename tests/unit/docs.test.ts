/**
 * The docs. Whether their generated parts are current is `npm run docs -- --check` (run by .ci/run
 * after the tests), not a test here: adding a route changes the generated counts, and no test should
 * fail for a table not yet rewritten.
 */
