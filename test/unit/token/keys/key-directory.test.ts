import { expect } from 'chai';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readKeyDirectory, type KeyFile } from '../../../../sidecar/src/token/keys/key-directory';
import { asapFileName, keyIdOf } from '../../../../sidecar/src/token/keys/key-id';
import { keyFileCreated, keyFileName } from '../../../../sidecar/src/token/keys/key-file-name';
import { readRevocations, revocationRecordName } from '../../../../sidecar/src/token/keys/key-revocation';
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

describe('token/keys/key-revocation: records in revoked/', () => {
  const revoke = (dir: string, kid: string, at = 1_800_000_000): string => {
    mkdirSync(join(dir, 'revoked'), { recursive: true });
    return writePem(join(dir, 'revoked'), revocationRecordName(kid, at - 3600, at), `# revoked\n`);
  };

  it('a record is named by the UTC seconds of the revocation and of the key\'s making, and the kid, and read back from its name', () => {
    const kid = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    expect(revocationRecordName(kid, 1_800_000_000 - 3600, 1_800_000_000)).to.equal(`revoked-20270115T080000Z.made-20270115T070000Z.${kid}.pub`);
    const dir = makeKeyDir();
    expect(readRevocations(dir)).to.deep.equal({ revocations: [], problems: [] });
    revoke(dir, kid);
    revoke(dir, kid, 1_800_000_100); // revoked twice: the first counts
    writeFileSync(join(dir, 'revoked', '.saml2jwt-tmp-half'), 'x'); // a record being written
    expect(readRevocations(dir)).to.deep.equal({ revocations: [{ kid, revokedAt: 1_800_000_000, createdAt: 1_800_000_000 - 3600, name: `revoked-20270115T080000Z.made-20270115T070000Z.${kid}.pub` }], problems: [] });
  });

  it('a file in revoked/ that is not a record is a problem; the records beside it still count', () => {
    const dir = makeKeyDir();
    const key = writeKey(dir, 60);
    revoke(dir, keyIdOf(key.publicKey));
    writeFileSync(join(dir, 'revoked', 'notes.txt'), 'x');
    const read = readKeyDirectory(dir);
    expect('problems' in read && read.problems).to.deep.equal([`JWT_KEYS_DIR: ${join(dir, 'revoked', 'notes.txt')} is not a revocation record (\`keys revoke\` names them revoked-<UTC second>.made-<UTC second>.<kid>.pub); move it out of ${join(dir, 'revoked')}`]);
    expect(read.revocations.map((r) => r.kid)).to.deep.equal([keyIdOf(key.publicKey)]);
  });

  it('a key whose kid is revoked is not a key, whatever its file is called; its file is named so it can be deleted', () => {
    const dir = makeKeyDir();
    const kept = writeKey(dir, 7200);
    const gone = writeKey(dir, 60);
    revoke(dir, keyIdOf(gone.publicKey));
    const read = readKeyDirectory(dir);
    if ('problems' in read) return expect.fail(read.problems.join('\n'));
    expect(read.keys.map((k) => k.kid)).to.deep.equal([keyIdOf(kept.publicKey)]);
    expect(read.revokedFiles).to.deep.equal([gone.file.split('/').pop()]);
    // a copy under another name (a restore from backup) is ignored all the same
    writePem(dir, keyFileName(1_800_000_000), gone.privatePem);
    const again = readKeyDirectory(dir);
    expect('keys' in again && again.keys.map((k) => k.kid)).to.deep.equal([keyIdOf(kept.publicKey)]);
  });

  it('a folder whose every key is revoked holds no key: refused, with how to make one', () => {
    const dir = makeKeyDir();
    const only = writeKey(dir, 60);
    revoke(dir, keyIdOf(only.publicKey));
    expect(problemsOf(dir)).to.deep.equal([`JWT_KEYS_DIR: ${dir} holds no key (*.pem) that is not revoked; make one with \`jitsi-saml2jwt keys rotate --jitsi-dir <docker-jitsi-meet folder>\``]);
    expect(readdirSync(dir).sort()).to.deep.equal([only.file.split('/').pop(), 'revoked']);
  });
});
