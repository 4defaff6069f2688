// The checks every clause makes, worded so a failing test says which part of the contract broke. The
// builder inlines this file into each request's Tests, so each request in the app shows all it asserts.
const GREETING = 'Hello from Lambda!';

function checkResponseTime() {
  const raw = pm.variables.get('max_response_ms');
  const limit = Number(raw);
  pm.test(`Response time is at most max_response_ms (${raw} ms)`, () => {
    pm.expect(
      Number.isFinite(limit) && limit > 0,
      'max_response_ms must be a positive number of milliseconds',
    ).to.be.true;
    pm.expect(pm.response.responseTime, 'the response took longer than max_response_ms').to.be.at.most(limit);
  });
}

function checkJsonContentType() {
  pm.test('Content-Type is application/json', () => {
    const type = (pm.response.headers.get('Content-Type') || '').split(';')[0].trim().toLowerCase();
    pm.expect(type, 'the response is not declared as JSON').to.equal('application/json');
  });
}

function checkGreetingAbsent() {
  pm.test("The Lambda's greeting is absent (the request never reached the Lambda)", () => {
    pm.expect(pm.response.text(), 'the greeting leaked: the Lambda ran for a refused request').to.not.include(
      GREETING,
    );
  });
}

function checkNoAuthorizationSent() {
  pm.test('The request carried no Authorization header', () => {
    pm.expect(pm.request.headers.has('Authorization'), 'an Authorization header was sent').to.be.false;
  });
}

/** A gateway-generated error: exact status, exact body bytes, JSON, and API Gateway's error type. */
function expectGatewayError(status, body, errorType, why) {
  pm.test(`Status is ${status}: ${why}`, () => {
    pm.expect(pm.response.code, `expected ${status}, the gateway answered ${pm.response.code}`).to.equal(
      status,
    );
  });
  pm.test(`Body is exactly ${body}`, () => {
    pm.expect(pm.response.text(), "the error body differs from API Gateway's").to.equal(body);
  });
  checkJsonContentType();
  pm.test(`x-amzn-ErrorType is ${errorType}`, () => {
    pm.expect(pm.response.headers.get('x-amzn-ErrorType'), 'wrong or missing x-amzn-ErrorType').to.equal(
      errorType,
    );
  });
  checkGreetingAbsent();
  checkResponseTime();
}

/** The authorizer let a genuine ID token through and the Lambda answered. */
function expectGreeting() {
  pm.test('Status is 200: the authorizer accepted the ID token', () => {
    pm.expect(pm.response.code, `expected 200, the gateway answered ${pm.response.code}`).to.equal(200);
  });
  pm.test(`Body is exactly "${GREETING}" (the Lambda's JSON string, quotes included)`, () => {
    pm.expect(pm.response.text(), "the body is not the Lambda's greeting").to.equal(JSON.stringify(GREETING));
  });
  checkJsonContentType();
  checkResponseTime();
}

/** A 4xx that is not the authorizer's (e.g. 431 from a header limit): which 4xx is open, so only the class. */
function expectClientError(why) {
  pm.test(`Status is a 4xx: ${why}`, () => {
    pm.expect(pm.response.code, `expected a 4xx, the gateway answered ${pm.response.code}`).to.be.within(
      400,
      499,
    );
  });
  pm.test('Status is not a 5xx: the gateway did not crash', () => {
    pm.expect(pm.response.code, 'the gateway failed with a server error').to.be.below(500);
  });
  checkGreetingAbsent();
  checkResponseTime();
}

// Backstop for the skip in the pre-request: where skipRequest is unavailable the request went out with
// an empty token; its checks are skipped here so nothing shows as passed that was not really tried.
function skippedBecauseEmpty(variable) {
  if (pm.variables.get(variable)) return false;
  pm.test.skip(`SKIPPED: ${variable} is empty on this target`);
  return true;
}
