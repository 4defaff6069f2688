/**
 * Our SRP arithmetic against two independent references: RFC 5054 Appendix B's published test vectors
 * for the plain SRP-6a group arithmetic, and AWS's own client, amazon-cognito-identity-js (a
 * devDependency used only here and in tests/integration/token-helper/srp-flows.test.ts), for every
 * Cognito-specific encoding: N, k, padHex, the HKDF key, TIMESTAMP and the PASSWORD_CLAIM_SIGNATURE.
 * The last check drives AWS's CognitoUser itself with a scripted Cognito answer, so the signature it
 * sends is computed by AWS's code from end to end, not re-implemented here.
 *
 * These references are what make it safe for our client (the token helper, the collection's sign-in)
 * and our server (the local stack's Cognito) to share one module, common/cognito-srp-core.ts: a bug
 * both sides make alike passes every sign-in against the local stack and fails only here.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterEach, describe, mock, test } from 'node:test';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import {
  answerChallenge,
  authenticationKey,
  COGNITO_GROUP,
  clientPublic,
  clientSecret,
  fromHex,
  multiplier,
  padHex,
  parseSrpTimestamp,
  poolNameOf,
  serverPublic,
  serverSecret,
  srpTimestamp,
  verifier,
} from '../../../common/cognito-srp.ts';
import { startSrp } from '../../../token-helper/srp-client.ts';

/**
 * The parts of AuthenticationHelper its typings leave out (they are public on the object and stable
 * since 2016). Its BigInteger is jsbn's, built from a hex string.
 */
interface JsbnBigInteger {
  toString(radix: number): string;
}
interface HelperInternals {
  N: JsbnBigInteger;
  g: JsbnBigInteger;
  k: JsbnBigInteger;
  padHex(value: JsbnBigInteger): string;
  computehkdf(ikm: Buffer, salt: Buffer): Buffer | Uint8Array;
}

// The package's index exports these two, its typings do not.
const { AuthenticationHelper, DateHelper } = createRequire(import.meta.url)('amazon-cognito-identity-js') as {
  readonly AuthenticationHelper: (new (poolName: string) => HelperInternals) & { prototype: object };
  readonly DateHelper: new () => { getNowString(): string };
};
const helper = new AuthenticationHelper('TestPool');
const BigInteger = helper.N.constructor as new (hex: string, radix: number) => JsbnBigInteger;
const jsbn = (value: bigint): JsbnBigInteger => new BigInteger(value.toString(16), 16);
const randomBig = (bytes: number): bigint => fromHex(randomBytes(bytes).toString('hex'));

describe('the SRP-6a group arithmetic reproduces RFC 5054 Appendix B', () => {
  // RFC 5054 Appendix A's 1024-bit group and Appendix B's values (I = "alice", P = "password123",
  // SHA-1): the RFC hashes differently from Cognito, so k, x and u are taken as published and only the
  // arithmetic that Cognito shares with every SRP-6a is checked.
  const group = {
    N: fromHex(
      'EEAF0AB9ADB38DD69C33F80AFA8FC5E86072618775FF3C0B9EA2314C9C256576D674DF7496EA81D3383B4813D692C6E0E0D5D8E250B98BE48E495C1D6089DAD15DC7D7B46154D6B6CE8EF4AD69B15D4982559B297BCF1885C529F566660E57EC68EDBC3C05726CC02FD4CBF4976EAA9AFD5138FE8376435B9FC61D2FC0EB06E3',
    ),
    g: 2n,
  };
  const k = fromHex('7556AA045AEF2CDD07ABAF0F665C3E818913186F');
  const x = fromHex('94B7555AABE9127CC58CCF4993DB6CF84D16C124');
  const a = fromHex('60975527035CF2AD1989806F0407210BC81EDC04E2762A56AFD529DDDA2D4393');
  const b = fromHex('E487CB59D31AC550471E81F00F6928E01DDA08E974A004F49E61F5D105284D20');
  const u = fromHex('CE38B9593487DA98554ED47D70A7AE5F462EF019');
  const v = fromHex(
    '7E273DE8696FFC4F4E337D05B4B375BEB0DDE1569E8FA00A9886D8129BADA1F1822223CA1A605B530E379BA4729FDC59F105B4787E5186F5C671085A1447B52A48CF1970B4FB6F8400BBF4CEBFBB168152E08AB5EA53D15C1AFF87B2B9DA6E04E058AD51CC72BFC9033B564E26480D78E955A5E29E7AB245DB2BE315E2099AFB',
  );
  const A = fromHex(
    '61D5E490F6F1B79547B0704C436F523DD0E560F0C64115BB72557EC44352E8903211C04692272D8B2D1A5358A2CF1B6E0BFCF99F921530EC8E39356179EAE45E42BA92AEACED825171E1E8B9AF6D9C03E1327F44BE087EF06530E69F66615261EEF54073CA11CF5858F0EDFDFE15EFEAB349EF5D76988A3672FAC47B0769447B',
  );
  const B = fromHex(
    'BD0C61512C692C0CB6D041FA01BB152D4916A1E77AF46AE105393011BAF38964DC46A0670DD125B95A981652236F99D9B681CBF87837EC996C6DA04453728610D0C6DDB58B318885D7D82C7F8DEB75CE7BD4FBAA37089E6F9C6059F388838E7A00030B331EB76840910440B1B27AAEAEEB4012B7D7665238A8E3FB004B117B58',
  );
  const S = fromHex(
    'B0DC82BABCF30674AE450C0287745E7990A3381F63B387AAF271A10D233861E359B48220F7C4693C9AE12B0A6F67809F0876E2D013800D6C41BB59B6D5979B5C00A172B4A2A5903A0BDCAF8A709585EB2AFAFA8F3499B200210DCC1F10EB33943CD67FC88A2F39A4BE5BEC4EC0A3212DC346D7E474B29EDE8A469FFECA686E5A',
  );

  test('v = g^x, A = g^a and B = kv + g^b', () => {
    assert.equal(verifier(x, group), v);
    assert.equal(clientPublic(a, group), A);
    assert.equal(serverPublic(b, v, k, group), B);
  });

  test('the client and the server reach the premaster secret S', () => {
    assert.equal(clientSecret({ B, k, x, a, u }, group), S);
    assert.equal(serverSecret({ A, v, u, b }, group), S);
  });
});

describe("Cognito's encodings agree with AWS's AuthenticationHelper", () => {
  test('N, g and k are the helper values', () => {
    assert.equal(COGNITO_GROUP.N.toString(16), helper.N.toString(16));
    assert.equal(COGNITO_GROUP.g.toString(16), helper.g.toString(16));
    assert.equal(multiplier().toString(16), helper.k.toString(16));
  });

  test('padHex agrees for the edges of each byte length and for random numbers', () => {
    // Java's BigInteger.toByteArray, which the helper mirrors: 127 is "7f", 128 is "0080".
    assert.equal(padHex(127n), '7f');
    assert.equal(padHex(128n), '0080');
    assert.equal(padHex(0n), '00');
    const values = [0n, 1n, 15n, 16n, 127n, 128n, 255n, 256n, 32767n, 32768n, COGNITO_GROUP.N - 1n];
    for (let i = 0; i < 200; i += 1) values.push(randomBig(1 + (i % 400)));
    for (const value of values) {
      assert.equal(padHex(value), helper.padHex(jsbn(value)).toLowerCase(), `padHex(${value.toString(16)})`);
    }
  });

  test('the authentication key is the helper HKDF', () => {
    for (let i = 0; i < 20; i += 1) {
      const S = randomBig(384) % COGNITO_GROUP.N;
      const u = randomBig(32);
      const theirs = Buffer.from(
        helper.computehkdf(Buffer.from(padHex(S), 'hex'), Buffer.from(padHex(u), 'hex')),
      );
      assert.deepEqual(authenticationKey(S, u), theirs);
    }
  });
});

describe('TIMESTAMP', () => {
  afterEach(() => mock.timers.reset());

  for (const instant of [
    '2026-12-01T19:05:12Z', // a single-digit day: "Tue Dec 1 19:05:12 UTC 2026", not "Dec 01"
    '2026-03-09T00:00:00Z',
    '2027-02-28T23:59:59Z',
    '2028-10-22T07:08:09Z',
  ]) {
    test(`${instant} is written as AWS's DateHelper writes it, and parsed back`, () => {
      mock.timers.enable({ apis: ['Date'], now: new Date(instant) });
      const theirs = new DateHelper().getNowString();
      mock.timers.reset();
      assert.equal(srpTimestamp(new Date(instant)), theirs);
      assert.equal(parseSrpTimestamp(theirs)?.toISOString(), new Date(instant).toISOString());
    });
  }

  test('the example of the protocol notes, and a zero-padded day is refused', () => {
    assert.equal(srpTimestamp(new Date('2026-12-01T19:05:12Z')), 'Tue Dec 1 19:05:12 UTC 2026');
    assert.equal(parseSrpTimestamp('Tue Dec 01 19:05:12 UTC 2026'), undefined);
    assert.equal(parseSrpTimestamp('Wed Dec 1 19:05:12 UTC 2026'), undefined, 'the weekday must match');
  });
});

/**
 * AWS's CognitoUser.authenticateUser (USER_SRP_AUTH) against a scripted Cognito: its first request
 * gives SRP_A, the scripted challenge comes back, and its second request carries the
 * PASSWORD_VERIFIER responses AWS's code computed. `a` is fixed through the helper's prototype.
 */
async function awsAnswer(input: {
  readonly userPoolId: string;
  readonly username: string;
  readonly password: string;
  readonly a: bigint;
  readonly challenge: Record<string, string>;
  readonly now: Date;
}): Promise<{ srpA: string; responses: Record<string, string> }> {
  const prototype = AuthenticationHelper.prototype as unknown as { generateRandomSmallA(): JsbnBigInteger };
  const original = prototype.generateRandomSmallA;
  prototype.generateRandomSmallA = () => jsbn(input.a);
  mock.timers.enable({ apis: ['Date'], now: input.now });
  try {
    const pool = new CognitoUserPool({
      UserPoolId: input.userPoolId,
      ClientId: 'testclient0000000000000000',
    });
    const user = new CognitoUser({ Username: input.username, Pool: pool });
    let srpA = '';
    return await new Promise((resolve, reject) => {
      const client = (user as unknown as { client: { request: unknown } }).client;
      client.request = (
        operation: string,
        params: { AuthParameters?: Record<string, string>; ChallengeResponses?: Record<string, string> },
        callback: (error: unknown, data?: unknown) => void,
      ) => {
        if (operation === 'InitiateAuth') {
          srpA = params.AuthParameters?.SRP_A ?? '';
          callback(null, { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: input.challenge });
        } else {
          resolve({ srpA, responses: params.ChallengeResponses ?? {} });
        }
      };
      user.authenticateUser(
        new AuthenticationDetails({ Username: input.username, Password: input.password }),
        { onSuccess: () => undefined, onFailure: reject },
      );
    });
  } finally {
    mock.timers.reset();
    prototype.generateRandomSmallA = original;
  }
}

describe("the token helper's and the collection's PASSWORD_VERIFIER answers are the one AWS's CognitoUser sends", () => {
  const cases = [
    { userPoolId: 'us-east-1_AbCdEf123', username: 'contract-tester', password: 'Pa55word!-test' },
    { userPoolId: 'eu-west-2_Zz9', username: 'ünïcode-user@example.com', password: 'pässwörd ✓ 1A!' },
    { userPoolId: 'local_4c1FP6LW', username: 'x', password: 'y' },
  ];
  for (const [index, { userPoolId, username, password }] of cases.entries()) {
    test(`case ${index + 1}: pool ${userPoolId}, user ${username}`, async () => {
      const a = randomBig(128);
      // A challenge as a server would make it, for a verifier our client has no part in.
      const challenge = {
        SRP_B: (randomBig(384) % COGNITO_GROUP.N).toString(16),
        SALT: randomBytes(16).toString('hex'),
        SECRET_BLOCK: randomBytes(96).toString('base64'),
        USER_ID_FOR_SRP: username,
        USERNAME: username,
      };
      const now = new Date(Date.UTC(2026, 11, 1 + index * 9, 19, 5, 12));

      const theirs = await awsAnswer({ userPoolId, username, password, a, challenge, now });
      const ours = startSrp(userPoolId, a);

      assert.equal(ours.srpA, theirs.srpA, 'SRP_A');
      assert.deepEqual({ ...ours.answer(challenge, password, now) }, theirs.responses);
      // The collection's sign-in answers through the shared module's answerChallenge (on CryptoJS there).
      const shared = answerChallenge({
        a,
        A: clientPublic(a),
        poolName: poolNameOf(userPoolId),
        parameters: challenge,
        password,
        now,
      });
      assert.deepEqual({ ...shared.answer }, theirs.responses, shared.refused);
    });
  }

  test('a wrong password gives another signature (the comparison has teeth)', async () => {
    const a = randomBig(128);
    const challenge = {
      SRP_B: (randomBig(384) % COGNITO_GROUP.N).toString(16),
      SALT: randomBytes(16).toString('hex'),
      SECRET_BLOCK: randomBytes(96).toString('base64'),
      USER_ID_FOR_SRP: 'contract-tester',
    };
    const now = new Date('2026-12-01T19:05:12Z');
    const theirs = await awsAnswer({
      userPoolId: 'us-east-1_AbCdEf123',
      username: 'contract-tester',
      password: 'right',
      a,
      challenge,
      now,
    });
    const ours = startSrp('us-east-1_AbCdEf123', a).answer(challenge, 'wrong', now);
    assert.notEqual(ours.PASSWORD_CLAIM_SIGNATURE, theirs.responses.PASSWORD_CLAIM_SIGNATURE);
  });
});
