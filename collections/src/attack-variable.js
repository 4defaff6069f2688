// Pre-request helper for clauses whose token needs a private key (minted by the TypeScript side into a
// secret environment variable). When the variable is empty on this target, the clause is skipped, and
// shows as skipped rather than passed: pm.test.skip records it, pm.execution.skipRequest stops the request.
function useAttackVariable(variable, whyItMayBeMissing) {
  const token = pm.variables.get(variable) || '';
  if (token) {
    pm.variables.set('attack_token', token);
    return;
  }
  pm.variables.set('attack_token', '');
  pm.test.skip(`SKIPPED: ${variable} is empty on this target (${whyItMayBeMissing})`);
  // skipRequest arrived in postman-runtime 7.35 (Nov 2023): on older runtimes the Tests skip their checks.
  if (pm.execution && typeof pm.execution.skipRequest === 'function') pm.execution.skipRequest();
}
