import { expect } from 'chai';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MalformedEnvFile } from '../../../sidecar/src/config/env-file';
import { EditableEnvFile as EnvFile, ownHeader } from '../../../scripts/env-file-edit';
import { fixturesDir } from './checkout-fixture';

const fixtureEnv = fs.readFileSync(path.join(fixturesDir, 'basic', 'dotenv'), 'utf8');

describe('scripts/env-file-edit: EditableEnvFile', () => {
  it('gives back the exact bytes it read (LF, CRLF, no final newline, empty)', () => {
    const variants = [fixtureEnv, fixtureEnv.replace(/\n/g, '\r\n'), fixtureEnv.trimEnd(), '', '\n\n', 'A=1'];
    for (const text of variants) expect(EnvFile.parse(text).toString()).to.equal(text);
  });

  it('reads values as compose does: quotes, inline comments, later lines win', () => {
    const env = EnvFile.parse('A=1\nB="two words"\nC=\'lit ${X}\'\nD=x # note\nA=3\nexport E=e\n');
    expect(env.expanded('A')).to.equal('3');
    expect(env.expanded('B')).to.equal('two words');
    expect(env.expanded('C')).to.equal('lit ${X}');
    expect(env.expanded('D')).to.equal('x');
    expect(env.expanded('E')).to.equal('e');
    expect(env.expanded('Z')).to.equal(undefined);
  });

  it('expands ${VAR}, ${VAR:-default}, ${VAR-default} and $VAR from the file itself', () => {
    const env = EnvFile.parse(
      fixtureEnv + "EMPTY=\nU1=https://h:${HTTPS_PORT}/$TZ\nU2=${NOPE:-d1}|${EMPTY:-d2}|${EMPTY-d3}|${NOPE}\nU3='${TZ}'\nU4=\"a$$b\"\n",
    );
    expect(env.expanded('U1')).to.equal('https://h:8443/UTC');
    expect(env.expanded('U2')).to.equal('d1|d2||');
    expect(env.expanded('U3')).to.equal('${TZ}'); // single quotes: literal
    expect(env.expanded('U4')).to.equal('a$b');
    expect(env.expanded('LETSENCRYPT_DOMAIN')).to.equal('meet.example.com');
  });

  it('replaces the first commented #KEY= line in place, not adding a duplicate', () => {
    const env = EnvFile.parse('# intro\n#AUTH_TYPE=internal\n#AUTH_TYPE=ldap\nX=1\n');
    expect(env.set('AUTH_TYPE', 'jwt')).to.equal(true);
    expect(env.toString()).to.equal('# intro\nAUTH_TYPE=jwt\n#AUTH_TYPE=ldap\nX=1\n');
  });

  it('replaces the effective (last) uncommented line in place, keeping its `export`', () => {
    const env = EnvFile.parse('A=1\n#A=0\nexport A=2\nB=b\n');
    env.set('A', '9');
    expect(env.toString()).to.equal('A=1\n#A=0\nexport A=9\nB=b\n');
  });

  it('leaves a line with the wanted value untouched, whatever its quoting or ${...} references', () => {
    const text = 'ENABLE_AUTH="1"\nAUTH_TYPE=jwt   # chosen by hand\nHTTPS_PORT=8443\nPUBLIC_URL=https://m.example:${HTTPS_PORT}\n';
    const env = EnvFile.parse(text);
    expect(env.set('ENABLE_AUTH', '1')).to.equal(false);
    expect(env.set('AUTH_TYPE', 'jwt')).to.equal(false);
    expect(env.set('PUBLIC_URL', 'https://m.example:8443')).to.equal(false);
    expect(env.toString()).to.equal(text);
  });

  it('appends new keys under one header block, also on a second edit', () => {
    const env = EnvFile.parse('A=1\n');
    env.set('NEW1', 'x');
    const once = EnvFile.parse(env.toString());
    once.set('NEW2', 'y');
    expect(once.toString()).to.equal(`A=1\n\n${ownHeader}\nNEW1=x\nNEW2=y\n`);
  });

  it('keeps CRLF line endings and a missing final newline when appending', () => {
    const env = EnvFile.parse('A=1\r\n#B=0\r\nC=3');
    env.set('B', '2');
    env.set('D', '4');
    expect(env.toString()).to.equal(`A=1\r\nB=2\r\nC=3\r\n\r\n${ownHeader}\r\nD=4`);
  });

  it('refuses a line that is neither KEY=value, a comment nor blank, naming its line', () => {
    const lines = fixtureEnv.split('\n');
    lines.splice(6, 0, 'this line is garbage');
    expect(() => EnvFile.parse(lines.join('\n')))
      .to.throw(MalformedEnvFile, /line 7\b/)
      .with.property('lineNumber', 7);
    expect(() => EnvFile.parse('OK=1\n  =nokey\n')).to.throw(MalformedEnvFile, /line 2\b/);
  });

  it('writes any value so that compose reads back exactly that value (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }).filter((s) => !/[\r\n]/.test(s) && s.trim() === s), (value) => {
        const env = EnvFile.parse('# x\n#KEY=old\n');
        env.set('KEY', value);
        const reread = EnvFile.parse(env.toString());
        expect(reread.expanded('KEY')).to.equal(value);
        // a value with $ must not be interpolated by compose: it is single-quoted
        if (value.includes('$') && !value.includes("'")) expect(env.toString()).to.include(`KEY='${value}'`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('scripts/env-file-edit: commentOut and uncomment (setup --signing)', () => {
  const note = 'jitsi-saml2jwt: test note';

  it('comments out every assignment of the key, with the note, and brings the same line back, byte for byte', () => {
    const text = "A=1\r\nJWT_APP_SECRET='s3cr3t' # mine\r\nB=2\r\n";
    const env = EnvFile.parse(text);
    expect(env.commentOut('JWT_APP_SECRET', note)).to.equal(true);
    expect(env.toString()).to.equal(`A=1\r\n#JWT_APP_SECRET='s3cr3t' # mine # ${note}\r\nB=2\r\n`);
    expect(env.expanded('JWT_APP_SECRET')).to.equal(undefined);
    expect(env.commentOut('JWT_APP_SECRET', note)).to.equal(false);
    const again = EnvFile.parse(env.toString());
    expect(again.uncomment('JWT_APP_SECRET', note)).to.equal(true);
    expect(again.toString()).to.equal(text);
    expect(again.expanded('JWT_APP_SECRET')).to.equal('s3cr3t');
  });

  it('uncomment leaves lines it did not write, and a key that is set again, alone', () => {
    const foreign = EnvFile.parse('#JWT_APP_SECRET=my_jitsi_app_secret\n');
    expect(foreign.uncomment('JWT_APP_SECRET', note)).to.equal(false);
    const reset = EnvFile.parse(`#JWT_APP_SECRET=old # ${note}\nJWT_APP_SECRET=new\n`);
    expect(reset.uncomment('JWT_APP_SECRET', note)).to.equal(false);
    expect(reset.expanded('JWT_APP_SECRET')).to.equal('new');
  });
});
