// Secrets from files (<NAME>_FILE, the compose `secrets:` convention), so that `docker inspect`
// does not show them; the plain variables keep working.
import { expect } from 'chai';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../sidecar/src/config/load';
import { startProblems, TEST_API_KEY, TEST_APP_SECRET, TEST_PROXY_SECRET, testEnv } from '../../support/config-fixture';

const problemsOf = startProblems;

describe('config/load: secrets from *_FILE', () => {
  let dir: string;
  const secretFile = (name: string, content: string, mode = 0o400): string => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    chmodSync(file, mode);
    return file;
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'saml2jwt-secret-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads JWT_APP_SECRET, SIDECAR_PROXY_SECRET and BACKEND_API_KEY from their files, dropping one trailing newline', () => {
    const cfg = loadConfig(
      testEnv({
        JWT_APP_SECRET: undefined,
        SIDECAR_PROXY_SECRET: '',
        JWT_APP_SECRET_FILE: secretFile('jwt', `${TEST_APP_SECRET}\n`),
        SIDECAR_PROXY_SECRET_FILE: secretFile('proxy', TEST_PROXY_SECRET, 0o440),
        ENABLE_BACKEND_JWT_REQUEST: 'true',
        BACKEND_API_KEY_FILE: secretFile('api', `${TEST_API_KEY}\r\n`, 0o600),
      }),
    );
    expect(cfg.jwt.appSecret).to.equal(TEST_APP_SECRET);
    expect(cfg.identity.proxySecret).to.equal(TEST_PROXY_SECRET);
    expect(cfg.backend.apiKey).to.equal(TEST_API_KEY);
  });

  it('takes only one trailing newline off: a second one, or a space, is refused rather than kept in the secret', () => {
    for (const content of [`${TEST_APP_SECRET}\n\n`, ` ${TEST_APP_SECRET}`]) {
      const file = secretFile(`jwt-${content.length}-${content.charCodeAt(0)}`, content);
      expect(problemsOf(testEnv({ JWT_APP_SECRET: undefined, JWT_APP_SECRET_FILE: file }))).to.deep.equal([
        `JWT_APP_SECRET_FILE: ${file} holds a space, a line break or a control character besides the one final newline`,
      ]);
    }
  });

  it('still takes the plain variables (backward compatible)', () => {
    expect(loadConfig(testEnv()).jwt.appSecret).to.equal(TEST_APP_SECRET);
  });

  it('refuses the variable and its file both set, naming the variable', () => {
    const problems = problemsOf(testEnv({ SIDECAR_PROXY_SECRET_FILE: secretFile('proxy', TEST_PROXY_SECRET) }));
    expect(problems).to.deep.equal(['SIDECAR_PROXY_SECRET: and SIDECAR_PROXY_SECRET_FILE are both set; set only one of them']);
  });

  it('refuses a world-readable file, naming the variable and the mode', () => {
    const file = secretFile('jwt', TEST_APP_SECRET, 0o644);
    const problems = problemsOf(testEnv({ JWT_APP_SECRET: undefined, JWT_APP_SECRET_FILE: file }));
    expect(problems).to.deep.equal([`JWT_APP_SECRET_FILE: ${file} is readable by every user (mode 0644); make it 0400 or 0440 (chmod o-rwx)`]);
  });

  it('refuses a file it cannot read, and an empty one, naming the variable', () => {
    const missing = path.join(dir, 'missing');
    expect(problemsOf(testEnv({ JWT_APP_SECRET: undefined, JWT_APP_SECRET_FILE: missing }))).to.deep.equal([`JWT_APP_SECRET_FILE: cannot read ${missing} (ENOENT)`]);
    const empty = secretFile('empty', '\n');
    expect(problemsOf(testEnv({ SIDECAR_PROXY_SECRET: undefined, SIDECAR_PROXY_SECRET_FILE: empty }))).to.deep.equal([`SIDECAR_PROXY_SECRET_FILE: ${empty} is empty`]);
    expect(problemsOf(testEnv({ SIDECAR_PROXY_SECRET: undefined, SIDECAR_PROXY_SECRET_FILE: dir }))).to.deep.equal([`SIDECAR_PROXY_SECRET_FILE: ${dir} is not a regular file`]);
  });

  it('says that the file is an alternative when neither is set', () => {
    const problems = problemsOf(testEnv({ JWT_APP_SECRET: undefined }));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^JWT_APP_SECRET: is required .* or JWT_APP_SECRET_FILE naming a file that holds it$/);
  });
});
