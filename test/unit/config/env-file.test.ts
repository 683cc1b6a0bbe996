import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnvFile, readEnvironment } from '../../../sidecar/src/config/env-file';

describe('config/env-file: parseEnvFile', () => {
  it('reads KEY=value lines, skipping comments and blank lines', () => {
    const env = parseEnvFile('# a comment\n\nJWT_APP_ID=my_app\n  #JWT_APP_SECRET=commented\nHTTPS_PORT=8443\n');
    expect(env).to.deep.equal({ JWT_APP_ID: 'my_app', HTTPS_PORT: '8443' });
  });

  it('strips double and single quotes, keeps single-quoted text literal', () => {
    const env = parseEnvFile(`A="x y"\nB='lit \${A}'\nC="say \\"hi\\""\n`);
    expect(env).to.deep.equal({ A: 'x y', B: 'lit ${A}', C: 'say "hi"' });
  });

  it('drops a " #" comment after an unquoted value but keeps # inside a value', () => {
    const env = parseEnvFile('A=value # note\nB=abc#def\n');
    expect(env).to.deep.equal({ A: 'value', B: 'abc#def' });
  });

  it('substitutes ${VAR} and ${VAR:-default} like compose, real environment first', () => {
    const env = parseEnvFile('HTTPS_PORT=8443\nPUBLIC_URL=https://meet.example.org:${HTTPS_PORT}\nX=${UNSET:-dflt}\nY=${FROM_ENV}\n', (n) =>
      n === 'FROM_ENV' ? 'env-value' : undefined,
    );
    expect(env.PUBLIC_URL).to.equal('https://meet.example.org:8443');
    expect(env.X).to.equal('dflt');
    expect(env.Y).to.equal('env-value');
  });

  it('also substitutes $VAR, ${VAR-default} and $$ as compose does (the same .env feeds docker compose)', () => {
    const env = parseEnvFile('TZ=UTC\nEMPTY=\nA=zone-$TZ\nB="${EMPTY-kept}|${EMPTY:-dflt}"\nC=pa$$word\n');
    expect(env.A).to.equal('zone-UTC');
    expect(env.B).to.equal('|dflt');
    expect(env.C).to.equal('pa$word');
  });

  it('accepts `export KEY=value` and CRLF line ends', () => {
    expect(parseEnvFile('export A=1\r\nB=2\r\n')).to.deep.equal({ A: '1', B: '2' });
  });

  it('throws naming the line of a line without =', () => {
    expect(() => parseEnvFile('A=1\n\nTHIS IS WRONG\n')).to.throw(/line 3/);
  });

  it('throws naming the line of an invalid key', () => {
    expect(() => parseEnvFile('1ABC=1\n')).to.throw(/line 1/);
  });

  it('throws naming the line and key of an unterminated quote', () => {
    expect(() => parseEnvFile('A=1\nB="open\n')).to.throw(/line 2: B: unterminated/);
  });
});

describe('config/env-file: readEnvironment', () => {
  let dir: string;
  let cwd: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'saml2jwt-env-'));
    cwd = process.cwd();
  });
  afterEach(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('real environment variables win over the file', () => {
    const file = path.join(dir, 'custom.env');
    writeFileSync(file, 'JWT_APP_ID=from_file\nXMPP_DOMAIN=file.jitsi\n');
    const env = readEnvironment({ JWT_APP_ID: 'from_env' }, file);
    expect(env.JWT_APP_ID).to.equal('from_env');
    expect(env.XMPP_DOMAIN).to.equal('file.jitsi');
  });

  it('reads .env from the working directory when no path is given', () => {
    writeFileSync(path.join(dir, '.env'), 'JWT_APP_ID=cwd_file\n');
    process.chdir(dir);
    expect(readEnvironment({}).JWT_APP_ID).to.equal('cwd_file');
  });

  it('works without any .env in the working directory', () => {
    process.chdir(dir);
    expect(readEnvironment({ A: '1' })).to.deep.equal({ A: '1' });
  });

  it('an explicitly given file must exist', () => {
    expect(() => readEnvironment({}, path.join(dir, 'missing.env'))).to.throw(/missing\.env: cannot read: ENOENT/);
  });

  it('reports a malformed file with its path and line', () => {
    const file = path.join(dir, 'bad.env');
    writeFileSync(file, 'A=1\nnot a line\n');
    expect(() => readEnvironment({}, file)).to.throw(/bad\.env: line 2/);
  });
});
