// Collection-level pre-request: makes sure `id_token` holds an ID token valid for at least another 60 s,
// signing in with Cognito's public InitiateAuth (USER_PASSWORD_AUTH) only when it does not. It runs in
// the Postman sandbox (app and Newman alike), so it uses pm.*, require('crypto-js') and nothing from Node.
// It never logs a token, a password or a secret: Newman's --verbose and the app's console keep logs.
const signInCryptoJs = require('crypto-js');
const REFRESH_MARGIN_SECONDS = 60;

function signInSetting(name) {
  const value = pm.variables.get(name);
  return typeof value === 'string' ? pm.variables.replaceIn(value).trim() : '';
}

function signInJwtExp(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return undefined;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '==='.slice((base64.length + 3) % 4);
    const payload = JSON.parse(signInCryptoJs.enc.Base64.parse(padded).toString(signInCryptoJs.enc.Utf8));
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

// A failed sign-in fails a test named for it, so every report shows the reason next to the request.
function signInFailed(message) {
  pm.test('Sign-in to Cognito succeeded', () => {
    throw new Error(message);
  });
}

const HINTS = {
  InvalidParameterException:
    "If it says the auth flow is not enabled: switch on ALLOW_USER_PASSWORD_AUTH in the app client's authentication flows.",
  NotAuthorizedException:
    'Check username and password; "Unable to verify secret hash" means the app client has a secret: fill cognito_client_secret.',
  ResourceNotFoundException:
    'Check cognito_client_id and aws_region (the app client must exist in that region).',
  UserNotFoundException: 'Check username: no such user in the pool.',
  UserNotConfirmedException: 'Confirm the user (console: Users → Confirm account) before signing in.',
  PasswordResetRequiredException: "Reset the user's password in the console, then sign in again.",
};

(function ensureIdToken() {
  const now = Math.floor(Date.now() / 1000);
  const current = pm.variables.get('id_token');
  if (current) {
    const exp = Number(pm.variables.get('id_token_exp')) || signInJwtExp(current);
    if (exp === undefined) return; // A token we cannot read (pasted by hand?): let the clauses judge it.
    if (exp - now > REFRESH_MARGIN_SECONDS) return;
  }

  const clientId = signInSetting('cognito_client_id');
  const username = signInSetting('username');
  const password = pm.variables.get('password') || '';
  const region = signInSetting('aws_region');
  const endpoint =
    signInSetting('cognito_endpoint') || (region ? `https://cognito-idp.${region}.amazonaws.com/` : '');
  const missing = [
    ['cognito_endpoint (or aws_region)', endpoint],
    ['cognito_client_id', clientId],
    ['username', username],
    ['password', password],
  ]
    .filter((entry) => !entry[1])
    .map((entry) => entry[0]);
  if (missing.length > 0) {
    // A token that still works for a few seconds is better than a failure: only an unusable one fails.
    if (current && signInJwtExp(current) > now) return;
    signInFailed(
      `id_token is ${current ? 'about to expire' : 'empty'} and no sign-in is possible. Missing in the environment: ${missing.join(', ')}.`,
    );
    return;
  }

  const parameters = { USERNAME: username, PASSWORD: password };
  const clientSecret = pm.variables.get('cognito_client_secret');
  if (clientSecret) {
    // SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id)).
    parameters.SECRET_HASH = signInCryptoJs.enc.Base64.stringify(
      signInCryptoJs.HmacSHA256(username + clientId, clientSecret),
    );
  }

  pm.sendRequest(
    {
      url: endpoint,
      method: 'POST',
      header: [
        { key: 'X-Amz-Target', value: 'AWSCognitoIdentityProviderService.InitiateAuth' },
        { key: 'Content-Type', value: 'application/x-amz-json-1.1' },
      ],
      body: {
        mode: 'raw',
        raw: JSON.stringify({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: clientId,
          AuthParameters: parameters,
        }),
      },
    },
    (error, response) => {
      if (error) {
        signInFailed(
          `Could not reach Cognito at ${endpoint}: ${error.message || error}. Check cognito_endpoint.`,
        );
        return;
      }
      let answer;
      try {
        answer = response.json();
      } catch {
        signInFailed(`Cognito at ${endpoint} answered HTTP ${response.code} with a body that is not JSON.`);
        return;
      }
      if (response.code !== 200) {
        const type = String(answer.__type || answer.code || 'UnknownError')
          .split('#')
          .pop();
        const hint = HINTS[type] ? ` ${HINTS[type]}` : '';
        signInFailed(
          `Cognito refused the sign-in: ${type}: ${answer.message || answer.Message || '(no message)'}.${hint}`,
        );
        return;
      }
      if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
        signInFailed(
          `Cognito asks user "${username}" for a new password (NEW_PASSWORD_REQUIRED: an administrator created the user). ` +
            'Set a permanent password once, e.g. aws cognito-idp admin-set-user-password --permanent, then run again.',
        );
        return;
      }
      if (answer.ChallengeName) {
        signInFailed(
          `Cognito answered with the challenge ${answer.ChallengeName}, which this collection cannot answer.`,
        );
        return;
      }
      const result = answer.AuthenticationResult || {};
      const exp = result.IdToken ? signInJwtExp(result.IdToken) : undefined;
      if (exp === undefined) {
        signInFailed('Cognito answered 200 without a readable IdToken in AuthenticationResult.');
        return;
      }
      pm.environment.set('id_token', result.IdToken);
      pm.environment.set('id_token_exp', String(exp));
      // The access-token clause needs a genuine access token; a value set by the TypeScript side wins.
      if (result.AccessToken && !pm.variables.get('attack_access_token')) {
        pm.environment.set('attack_access_token', result.AccessToken);
      }
    },
  );
})();
