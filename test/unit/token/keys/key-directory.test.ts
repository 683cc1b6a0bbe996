import { expect } from 'chai';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readKeyDirectory, type KeyFile } from '../../../../sidecar/src/token/keys/key-directory';
import { asapFileName, keyIdOf } from '../../../../sidecar/src/token/keys/key-id';
import { keyFileCreated, keyFileName } from '../../../../sidecar/src/token/keys/key-file-name';
import { makeKeyDir, writeKey, writePem } from '../../../support/jwt-keys';

const problemsOf = (dir: string): string[] => {
  const read = readKeyDirectory(dir);
  return 'problems' in read ? read.problems : [];
};
const keysOf = (dir: string): KeyFile[] => {
  const read = readKeyDirectory(dir);
  if ('problems' in read) throw new Error(read.problems.join('\n'));
  return read.keys;
};

describe('token/keys/key-id: kid and the key server file name', () => {
  it('the kid is the RFC 7638 JWK thumbprint (the RFC\'s own example key)', () => {
    // RFC 7638 section 3.1
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const key = createPublicKey({ key: { kty: 'RSA', n, e: 'AQAB' }, format: 'jwk' });
    expect(keyIdOf(key)).to.equal('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('the key server file is hex(sha256(kid)) .. ".pem", lower-case', () => {
    const kid = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    expect(asapFileName(kid)).to.equal(`${createHash('sha256').update(kid).digest('hex')}.pem`).and.match(/^[0-9a-f]{64}\.pem$/);
  });
});

describe('token/keys/key-file-name: the UTC second in the name', () => {
  it('round-trips and refuses what is not a calendar time', () => {
    expect(keyFileName(1_800_000_000)).to.equal('20270115T080000Z.pem');
    expect(keyFileCreated('20270115T080000Z.pem')).to.equal(1_800_000_000);
    expect(keyFileCreated('20271332T080000Z.pem')).to.equal(undefined);
    expect(keyFileCreated('key.pem')).to.equal(undefined);
  });
});

describe('token/keys/key-directory: readKeyDirectory', () => {
  it('reads every key, oldest first, with its kid, size, creation time and public PEM', () => {
    const dir = makeKeyDir();
    const newer = writeKey(dir, 60);
    const older = writeKey(dir, 7200);
    const keys = keysOf(dir);
    expect(keys.map((k) => k.kid)).to.deep.equal([keyIdOf(older.publicKey), keyIdOf(newer.publicKey)]);
    expect(keys[0]?.bits).to.equal(2048);
    expect(keys[0]?.publicPem).to.match(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(Math.round(Date.now() / 1000) - (keys[1]?.created ?? 0)).to.be.within(59, 75); // a loaded machine is slow
  });

  it('a missing folder, or one without keys, is refused naming JWT_KEYS_DIR and how to make a key', () => {
    expect(problemsOf('/nonexistent/saml2jwt-keys')).to.deep.equal([
      'JWT_KEYS_DIR: /nonexistent/saml2jwt-keys does not exist; make one with `jitsi-saml2jwt keys rotate --jitsi-dir <docker-jitsi-meet folder>`',
    ]);
    const empty = makeKeyDir();
    writeFileSync(join(empty, 'README'), 'not a key');
    expect(problemsOf(empty)[0]).to.match(/^JWT_KEYS_DIR: .* holds no key \(\*\.pem\); make one with `jitsi-saml2jwt keys rotate/);
  });

  it('a world-readable key is refused, with the fix', () => {
    const dir = makeKeyDir();
    const { file } = writeKey(dir, 60);
    chmodSync(file, 0o644);
    expect(problemsOf(dir)).to.deep.equal([`JWT_KEYS_DIR: ${file} is readable by every user (mode 0644): anyone who reads it can sign tokens for every room; make it 0600 (chmod 600)`]);
  });

  it('an RSA key below 2048 bits is refused as too weak', () => {
    const dir = makeKeyDir();
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const file = writePem(dir, keyFileName(1_800_000_000), weak);
    expect(problemsOf(dir)).to.deep.equal([`JWT_KEYS_DIR: ${file} is RSA 1024, too weak: at least RSA 2048 (\`keys rotate\` makes RSA 2048)`]);
  });

  it('an EC key, a broken PEM, a folder named like a key, a badly named file and a duplicate are each refused', () => {
    const dir = makeKeyDir();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    writePem(dir, keyFileName(1_800_000_001), ec);
    writePem(dir, keyFileName(1_800_000_002), '-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n');
    const good = writeKey(dir, 100);
    writePem(dir, 'mykey.pem', good.privatePem);
    writePem(dir, keyFileName(1_800_000_003), good.privatePem);
    mkdirSync(join(dir, keyFileName(1_800_000_004)));
    const problems = problemsOf(dir).join('\n');
    expect(problems).to.include('is a ec key; RS256 needs an RSA key');
    expect(problems).to.include('is not an unencrypted PEM private key');
    expect(problems).to.include('mykey.pem: a key file is named by the UTC time it was made, e.g. 20261201T213000Z.pem');
    expect(problems).to.match(/hold the same key; remove one/);
    expect(problems).to.include('is not a regular file');
    expect(problems.split('\n').every((p) => p.startsWith('JWT_KEYS_DIR: '))).to.equal(true);
  });

  it('hidden files (a key still being written) and other file types are not read', () => {
    const dir = makeKeyDir();
    const key = writeKey(dir, 60);
    writeFileSync(join(dir, `.${keyFileName(1_800_000_000)}`), '-----BEGIN PRIVATE KEY-----\nhalf', { mode: 0o644 });
    writeFileSync(join(dir, '.saml2jwt-tmp-x.pem'), 'half', { mode: 0o644 });
    writeFileSync(join(dir, 'notes.txt'), 'hello', { mode: 0o644 });
    expect(keysOf(dir).map((k) => k.kid)).to.deep.equal([keyIdOf(key.publicKey)]);
  });
});
