// JWT_SIGNING=RS256: the configuration it needs, and what it refuses at start.
import { expect } from 'chai';
import { chmodSync } from 'node:fs';
import { describeConfig } from '../../../sidecar/src/config/load';
import { loadSettings } from '../../../sidecar/src/settings';
import { keyIdOf } from '../../../sidecar/src/token/keys/key-id';
import { startProblems, testEnv } from '../../support/config-fixture';
import { keyDirWithOneKey, makeKeyDir } from '../../support/jwt-keys';

function rs256Env(dir: string, over: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return testEnv({ JWT_APP_SECRET: undefined, JWT_SIGNING: 'RS256', JWT_KEYS_DIR: dir, ...over });
}

const problemsOf = startProblems;

describe('config: JWT_SIGNING=RS256', () => {
  it('loads the key folder, with a 5 minute activation delay by default, and needs no JWT_APP_SECRET', () => {
    const { dir, key } = keyDirWithOneKey();
    const settings = loadSettings(rs256Env(dir));
    expect(settings.cfg.jwt.signing).to.equal('RS256');
    expect(settings.cfg.jwt.appSecret).to.equal(undefined);
    expect(settings.cfg.jwt.keys).to.deep.equal({ dir, activationDelaySeconds: 300 });
    expect(settings.keys?.signingKey().kid).to.equal(keyIdOf(key.publicKey));
    expect(describeConfig(settings.cfg).jwt).to.deep.include({ signing: 'RS256', appSecret: null });
  });

  it('HS256 stays the default, and opens no key folder', () => {
    const settings = loadSettings(testEnv());
    expect(settings.cfg.jwt.signing).to.equal('HS256');
    expect(settings.keys).to.equal(undefined);
  });

  it('refuses JWT_APP_SECRET (or its _FILE) next to RS256, saying Prosody would still accept HS256 tokens made with it', () => {
    const { dir } = keyDirWithOneKey();
    const problems = problemsOf(rs256Env(dir, { JWT_APP_SECRET: 'a'.repeat(8) + '0123456789abcdef0123456789abcdef' }));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^JWT_APP_SECRET: must be unset with JWT_SIGNING=RS256: while a shared secret exists, Prosody would still accept HS256 tokens made with it/);
    expect(problemsOf(rs256Env(dir, { JWT_APP_SECRET_FILE: '/run/secrets/jwt_app_secret' }))[0]).to.match(/^JWT_APP_SECRET_FILE: must be unset with JWT_SIGNING=RS256/);
  });

  it('refuses a missing, empty or unsafe key folder at start, naming JWT_KEYS_DIR', () => {
    expect(problemsOf(rs256Env('/nonexistent/keys'))).to.deep.equal([
      'JWT_KEYS_DIR: /nonexistent/keys does not exist; make one with `jitsi-saml2jwt keys rotate --jitsi-dir <docker-jitsi-meet folder>`',
    ]);
    expect(problemsOf(rs256Env(makeKeyDir()))[0]).to.match(/^JWT_KEYS_DIR: .* holds no key/);
    const { dir, key } = keyDirWithOneKey();
    chmodSync(key.file, 0o604);
    expect(problemsOf(rs256Env(dir))[0]).to.match(/^JWT_KEYS_DIR: .* is readable by every user \(mode 0604\)/);
    expect(problemsOf(rs256Env('', { JWT_KEYS_DIR: undefined }))).to.deep.equal(['JWT_KEYS_DIR: is required with JWT_SIGNING=RS256: the folder of the private keys (one PEM per key)']);
  });

  it('refuses unknown signing modes, bad delays and tokens without exp', () => {
    const { dir } = keyDirWithOneKey();
    expect(problemsOf(testEnv({ JWT_SIGNING: 'rs256' }))).to.deep.equal(['JWT_SIGNING: must be one of HS256, RS256, got "rs256"']);
    expect(problemsOf(rs256Env(dir, { JWT_KEY_ACTIVATION_DELAY: '-1' }))[0]).to.match(/^JWT_KEY_ACTIVATION_DELAY: must be a whole number from 0 to 86400/);
    expect(problemsOf(rs256Env(dir, { ALLOW_UNLIMITED_TOKENS: 'true', DEFAULT_VALIDITY: '0' }))).to.deep.equal([
      'ALLOW_UNLIMITED_TOKENS: cannot be used with JWT_SIGNING=RS256: a token without exp would outlive the retirement of its key',
    ]);
  });
});
