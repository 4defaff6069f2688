// Collection-level sign-in: signInEnsureTokens(pm, done) makes sure `id_token` holds an ID token of the
// environment's pool and app client, valid for at least another 60 s, with `access_token` beside it, and
// calls done() once id_token, access_token and refresh_token are settled. It makes no call while the
// tokens are good; otherwise it uses the saved refresh token (REFRESH_TOKEN_AUTH), and only then the
// password, through Cognito's public InitiateAuth with the flow `auth_flow` names: `srp` (the default,
// USER_SRP_AUTH: what a console-created app client allows, and the password never leaves the app) or
// `password` (USER_PASSWORD_AUTH). It runs in the Postman sandbox (app and Newman alike): pm.*,
// require('crypto-js') and BigInt, nothing from Node. It never logs a token, a password or a secret:
// Newman's --verbose and the app's console keep logs.
//
// `signInDiagnoses` (the failure codes, Cognito's error rules and their hints) is put in front of this
// file by the collection builder from token-helper/diagnosis.ts, so the app and `npm run token` name
// every failure alike.
const signInCryptoJs = require('crypto-js');
const SIGN_IN_MARGIN_SECONDS = 60;
// Run-local memory of a refused sign-in (pm.variables lasts for one run and is never saved), so that a
// wrong password costs one Cognito call per run instead of one per request.
const SIGN_IN_FAILURE = 'sign_in_failure';
const SIGN_IN_FLAGS = {
  srp: 'ALLOW_USER_SRP_AUTH',
  password: 'ALLOW_USER_PASSWORD_AUTH',
  refresh: 'ALLOW_REFRESH_TOKEN_AUTH',
};

// --- SRP (Cognito's SRP-6a variant; the same arithmetic as common/cognito-srp.ts, checked there against
// AWS's own client; this copy is checked end to end against the local stack in bare Newman) ---
const SIGN_IN_SRP_N = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
    '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
    'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
    'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);

function signInModPow(base, exponent, modulus) {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function signInPadHex(value) {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

function signInHexHash(hex) {
  return signInCryptoJs.SHA256(signInCryptoJs.enc.Hex.parse(hex)).toString(signInCryptoJs.enc.Hex);
}

function signInSrpTimestamp(date) {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n) => String(n).padStart(2, '0');
  // The day of the month is not zero-padded: "Tue Dec 1 19:05:12 UTC 2026".
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${date.getUTCDate()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

function signInSrpStart() {
  // 256 random bits, as RFC 5054 asks at least; AWS's SDKs draw 1024, which costs this slow sandbox
  // four times the arithmetic for no gain a test run needs.
  const a = BigInt(`0x${signInCryptoJs.lib.WordArray.random(32).toString(signInCryptoJs.enc.Hex)}`);
  const A = signInModPow(2n, a, SIGN_IN_SRP_N);
  return { a, A, srpA: A.toString(16) };
}

// The PASSWORD_VERIFIER ChallengeResponses, or a string saying what is wrong with the challenge.
function signInSrpAnswer(start, poolId, parameters, password, now) {
  const N = SIGN_IN_SRP_N;
  const p = parameters || {};
  for (const name of ['SRP_B', 'SALT', 'SECRET_BLOCK', 'USER_ID_FOR_SRP']) {
    if (typeof p[name] !== 'string' || p[name] === '')
      return `its PASSWORD_VERIFIER challenge has no ${name}`;
  }
  if (!/^[0-9a-fA-F]+$/.test(p.SRP_B) || !/^[0-9a-fA-F]+$/.test(p.SALT)) return 'SRP_B or SALT is not hex';
  const B = BigInt(`0x${p.SRP_B}`);
  const u = BigInt(`0x${signInHexHash(signInPadHex(start.A) + signInPadHex(B))}`);
  if (B % N === 0n || u === 0n) return 'its SRP_B is one SRP-6a refuses';
  const poolName = poolId.slice(poolId.indexOf('_') + 1);
  const userId = p.USER_ID_FOR_SRP;
  const k = BigInt(`0x${signInHexHash(signInPadHex(N) + signInPadHex(2n))}`);
  const inner = signInCryptoJs.SHA256(signInCryptoJs.enc.Utf8.parse(`${poolName}${userId}:${password}`));
  const x = BigInt(
    `0x${signInHexHash(signInPadHex(BigInt(`0x${p.SALT}`)) + inner.toString(signInCryptoJs.enc.Hex))}`,
  );
  const S = signInModPow(B - k * signInModPow(2n, x, N), start.a + u * x, N);
  // HKDF-SHA256(ikm = S, salt = u, info = "Caldera Derived Key"), first 16 bytes.
  const prk = signInCryptoJs.HmacSHA256(
    signInCryptoJs.enc.Hex.parse(signInPadHex(S)),
    signInCryptoJs.enc.Hex.parse(signInPadHex(u)),
  );
  const info = signInCryptoJs.enc.Utf8.parse('Caldera Derived Key').concat(
    signInCryptoJs.enc.Hex.parse('01'),
  );
  const okm = signInCryptoJs.HmacSHA256(info, prk);
  const key = signInCryptoJs.lib.WordArray.create(okm.words.slice(0, 4), 16);
  const timestamp = signInSrpTimestamp(now);
  const message = signInCryptoJs.enc.Utf8.parse(poolName)
    .concat(signInCryptoJs.enc.Utf8.parse(userId))
    .concat(signInCryptoJs.enc.Base64.parse(p.SECRET_BLOCK))
    .concat(signInCryptoJs.enc.Utf8.parse(timestamp));
  return {
    USERNAME: userId,
    PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK,
    TIMESTAMP: timestamp,
    PASSWORD_CLAIM_SIGNATURE: signInCryptoJs.enc.Base64.stringify(signInCryptoJs.HmacSHA256(message, key)),
  };
}

// --- helpers ---
function signInSetting(pm, name) {
  const value = pm.variables.get(name);
  return typeof value === 'string' ? pm.variables.replaceIn(value).trim() : '';
}

function signInJwtPayload(token) {
  const parts = String(token || '').split('.');
  if (parts.length !== 3) return undefined;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '==='.slice((base64.length + 3) % 4);
    const payload = JSON.parse(signInCryptoJs.enc.Base64.parse(padded).toString(signInCryptoJs.enc.Utf8));
    return payload !== null && typeof payload === 'object' ? payload : undefined;
  } catch {
    return undefined;
  }
}

function signInSecretHash(username, settings) {
  // SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id)).
  return signInCryptoJs.enc.Base64.stringify(
    signInCryptoJs.HmacSHA256(username + settings.clientId, settings.clientSecret),
  );
}

function signInDiagnose(type, message, settings) {
  for (const rule of signInDiagnoses.rules) {
    if (rule.type !== type) continue;
    if (rule.message !== undefined && !new RegExp(rule.message, rule.flags).test(message)) continue;
    return settings.clientSecret && rule.ifSecretConfigured ? rule.ifSecretConfigured : rule.diagnosis;
  }
  return 'unknown-cognito-error';
}

function signInFailure(diagnosis, text, flow) {
  const hint = String(signInDiagnoses.hints[diagnosis] || '').replace('{flag}', SIGN_IN_FLAGS[flow] || '');
  return { diagnosis, message: `${text}${hint ? ` ${hint}` : ''} [diagnosis: ${diagnosis}]` };
}

// A failed sign-in fails a test named for it, so every report shows the reason next to each request.
function signInReport(pm, failure) {
  pm.test('Sign-in to Cognito succeeded', () => {
    throw new Error(failure.message);
  });
}

// One Cognito call; `callback(failure, answer)` with exactly one of them set.
function signInCall(pm, settings, operation, flow, body, callback) {
  pm.sendRequest(
    {
      url: settings.endpoint,
      method: 'POST',
      header: [
        { key: 'X-Amz-Target', value: `AWSCognitoIdentityProviderService.${operation}` },
        { key: 'Content-Type', value: 'application/x-amz-json-1.1' },
      ],
      body: { mode: 'raw', raw: JSON.stringify(body) },
    },
    (error, response) => {
      if (error) {
        callback(
          signInFailure(
            'unreachable',
            `Could not reach Cognito at ${settings.endpoint} (${error.code || error.message || error}).`,
            flow,
          ),
        );
        return;
      }
      let answer;
      try {
        answer = response.json();
      } catch {
        callback(
          signInFailure(
            'unexpected-answer',
            `Cognito at ${settings.endpoint} answered HTTP ${response.code} with a body that is not JSON.`,
            flow,
          ),
        );
        return;
      }
      if (response.code !== 200) {
        const type = String(answer.__type || answer.code || 'UnknownError').replace(/^.*#(?=[A-Z])/, '');
        const text = String(answer.message || answer.Message || '').replace(/\.$/, '');
        const fullType = String(answer.__type || '');
        const diagnosis = signInDiagnose(
          fullType.startsWith('CognitoLocal#') ? fullType : type,
          text,
          settings,
        );
        callback(
          signInFailure(
            diagnosis,
            `Cognito refused the ${flow} sign-in: ${type}: ${text || '(no message)'}.`,
            flow,
          ),
        );
        return;
      }
      callback(undefined, answer);
    },
  );
}

// --- the entry point ---
function signInEnsureTokens(pm, done) {
  const now = Math.floor(Date.now() / 1000);
  const region = signInSetting(pm, 'aws_region');
  const settings = {
    endpoint:
      signInSetting(pm, 'cognito_endpoint') || (region ? `https://cognito-idp.${region}.amazonaws.com/` : ''),
    poolId: signInSetting(pm, 'cognito_user_pool_id'),
    clientId: signInSetting(pm, 'cognito_client_id'),
    clientSecret: pm.variables.get('cognito_client_secret') || '',
    username: signInSetting(pm, 'username'),
    password: pm.variables.get('password') || '',
    flow: signInSetting(pm, 'auth_flow') || 'srp',
  };
  // A token of another pool or app client (an environment kept across a stack restart or a stage
  // change) is treated as no token: every clause would otherwise fail with 401 and blame the API.
  const belongs = (payload) =>
    (!settings.poolId || String(payload.iss || '').endsWith(`/${settings.poolId}`)) &&
    (!settings.clientId || payload.aud === settings.clientId);
  const current = signInJwtPayload(pm.variables.get('id_token'));
  const usable = (payload) => payload !== undefined && belongs(payload) && typeof payload.exp === 'number';
  if (current === undefined && pm.variables.get('id_token')) {
    done(); // A token we cannot read (pasted by hand?): let the clauses judge it.
    return;
  }
  // id_token_exp, which the token helper writes, wins over the token's own exp (tests shorten it).
  const expiry = Number(pm.variables.get('id_token_exp')) || (current ? current.exp : 0);
  if (usable(current) && expiry - now > SIGN_IN_MARGIN_SECONDS && pm.variables.get('access_token')) {
    done();
    return;
  }

  const memoKey = [
    settings.endpoint,
    settings.poolId,
    settings.clientId,
    settings.username,
    settings.flow,
  ].join('|');
  let memo;
  try {
    memo = JSON.parse(pm.variables.get(SIGN_IN_FAILURE) || 'null');
  } catch {
    memo = null;
  }
  if (memo && memo.key === memoKey) {
    signInReport(pm, memo);
    done();
    return;
  }
  const fail = (failure) => {
    pm.variables.set(
      SIGN_IN_FAILURE,
      JSON.stringify({ key: memoKey, diagnosis: failure.diagnosis, message: failure.message }),
    );
    signInReport(pm, failure);
    done();
  };
  const store = (result, flow, refreshToken) => {
    const payload = signInJwtPayload(result?.IdToken);
    if (payload === undefined || typeof payload.exp !== 'number') {
      fail(
        signInFailure(
          'unexpected-answer',
          'Cognito answered 200 without a readable IdToken in AuthenticationResult.',
          flow,
        ),
      );
      return;
    }
    if (!belongs(payload)) {
      fail(
        signInFailure(
          'token-mismatch',
          `Cognito issued a token of ${payload.iss} for app client ${payload.aud}, not of pool ${settings.poolId} for ${settings.clientId}.`,
          flow,
        ),
      );
      return;
    }
    pm.environment.set('id_token', result.IdToken);
    pm.environment.set('id_token_exp', String(payload.exp));
    if (result.AccessToken) pm.environment.set('access_token', result.AccessToken);
    // A refresh returns no new refresh token (unless rotation is on): keep the one that worked.
    if (result.RefreshToken || refreshToken)
      pm.environment.set('refresh_token', result.RefreshToken || refreshToken);
    done();
  };

  if (settings.flow !== 'srp' && settings.flow !== 'password') {
    signInReport(
      pm,
      signInFailure(
        'configuration-invalid',
        `auth_flow is "${settings.flow}": use srp (the default) or password.`,
        'srp',
      ),
    );
    done();
    return;
  }
  const missing = [
    ['cognito_endpoint (or aws_region)', settings.endpoint],
    ['cognito_client_id', settings.clientId],
    ['username', settings.username],
    ['password', settings.password],
    ...(settings.flow === 'srp' ? [['cognito_user_pool_id (auth_flow srp needs it)', settings.poolId]] : []),
  ]
    .filter((entry) => !entry[1])
    .map((entry) => entry[0]);

  const passwordSignIn = () => {
    if (missing.length > 0) {
      // A token that still works for a few seconds is better than a failure: only an unusable one fails.
      if (usable(current) && current.exp > now) {
        done();
        return;
      }
      signInReport(
        pm,
        signInFailure(
          'settings-missing',
          `id_token is ${current ? 'about to expire or of another pool' : 'empty'} and no sign-in is possible. Missing in the environment: ${missing.join(', ')}.`,
          settings.flow,
        ),
      );
      done();
      return;
    }
    const secretHash = (name) =>
      settings.clientSecret ? { SECRET_HASH: signInSecretHash(name, settings) } : {};
    const afterSignIn = (answer) => {
      if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
        fail(
          signInFailure(
            'new-password-required',
            `Cognito asks user "${settings.username}" for a new password (NEW_PASSWORD_REQUIRED: an administrator created the user).`,
            settings.flow,
          ),
        );
      } else if (answer.ChallengeName) {
        fail(
          signInFailure(
            'unsupported-challenge',
            `Cognito answered with the challenge ${answer.ChallengeName}, which this collection cannot answer.`,
            settings.flow,
          ),
        );
      } else {
        store(answer.AuthenticationResult, settings.flow);
      }
    };
    if (settings.flow === 'password') {
      signInCall(
        pm,
        settings,
        'InitiateAuth',
        'password',
        {
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: settings.clientId,
          AuthParameters: {
            USERNAME: settings.username,
            PASSWORD: settings.password,
            ...secretHash(settings.username),
          },
        },
        (failure, answer) => (failure ? fail(failure) : afterSignIn(answer)),
      );
      return;
    }
    const start = signInSrpStart();
    signInCall(
      pm,
      settings,
      'InitiateAuth',
      'srp',
      {
        AuthFlow: 'USER_SRP_AUTH',
        ClientId: settings.clientId,
        AuthParameters: { USERNAME: settings.username, SRP_A: start.srpA, ...secretHash(settings.username) },
      },
      (failure, challenge) => {
        if (failure) {
          fail(failure);
          return;
        }
        if (challenge.ChallengeName !== 'PASSWORD_VERIFIER') {
          afterSignIn(challenge);
          return;
        }
        const responses = signInSrpAnswer(
          start,
          settings.poolId,
          challenge.ChallengeParameters,
          settings.password,
          new Date(),
        );
        if (typeof responses === 'string') {
          fail(
            signInFailure(
              'unexpected-answer',
              `Cognito's answer cannot be used for SRP: ${responses}.`,
              'srp',
            ),
          );
          return;
        }
        signInCall(
          pm,
          settings,
          'RespondToAuthChallenge',
          'srp',
          {
            ChallengeName: 'PASSWORD_VERIFIER',
            ClientId: settings.clientId,
            ...(challenge.Session ? { Session: challenge.Session } : {}),
            // After the challenge Cognito knows the user by USER_ID_FOR_SRP; SECRET_HASH must use it.
            ChallengeResponses: { ...responses, ...secretHash(responses.USERNAME) },
          },
          (verifierFailure, answer) => (verifierFailure ? fail(verifierFailure) : afterSignIn(answer)),
        );
      },
    );
  };

  const refreshToken = pm.variables.get('refresh_token') || '';
  if (!refreshToken || !usable(current) || !settings.endpoint || !settings.clientId) {
    passwordSignIn();
    return;
  }
  signInCall(
    pm,
    settings,
    'InitiateAuth',
    'refresh',
    {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: settings.clientId,
      // For a refresh Cognito hashes the secret with the username it assigned, not an alias.
      AuthParameters: {
        REFRESH_TOKEN: refreshToken,
        ...(settings.clientSecret
          ? { SECRET_HASH: signInSecretHash(String(current['cognito:username'] || ''), settings) }
          : {}),
      },
    },
    (failure, answer) => {
      if (failure && failure.diagnosis === 'unreachable') fail(failure);
      // A refused refresh token (expired, revoked, flow off): the password still works.
      else if (failure || !answer.AuthenticationResult) passwordSignIn();
      else store(answer.AuthenticationResult, 'refresh', refreshToken);
    },
  );
}
