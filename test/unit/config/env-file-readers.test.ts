// One rule per fact: the sidecar (readEnvironment) and setup (readJitsiCheckout, the editor's
// model) read the same .env file to the same values, and refuse the same lines. The behaviour
// for each case is compose's (documented at the top of sidecar/src/config/env-file.ts).
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MalformedEnvFile, readEnvironment } from '../../../sidecar/src/config/env-file';
import { readJitsiCheckout } from '../../../scripts/jitsi-checkout';
import { run as setup } from '../../../scripts/setup';

const CASES: { name: string; line: string; key: string; value: string }[] = [
  { name: 'a \\t escape in double quotes is a tab', line: 'TAB="x\\ty"', key: 'TAB', value: 'x\ty' },
  { name: 'single quotes are literal: \\t stays', line: "TAB_SINGLE='x\\ty'", key: 'TAB_SINGLE', value: 'x\\ty' },
  { name: 'an unquoted backslash is literal', line: 'TAB_BARE=x\\ty', key: 'TAB_BARE', value: 'x\\ty' },
  { name: '\\$ in double quotes is a literal $', line: 'DOLLAR="pa\\$EARLY"', key: 'DOLLAR', value: 'pa$EARLY' },
  { name: 'unquoted, \\ stays and $VAR is substituted', line: 'DOLLAR_BARE=pa\\$EARLY', key: 'DOLLAR_BARE', value: 'pa\\early' },
  { name: '$$ is one literal $', line: 'TWO_DOLLARS="a$$b"', key: 'TWO_DOLLARS', value: 'a$b' },
  { name: '${VAR} defined earlier is substituted', line: 'URL=https://h:${EARLY}/', key: 'URL', value: 'https://h:early/' },
  { name: '${VAR} defined only later is empty', line: 'FORWARD=[${LATER}]', key: 'FORWARD', value: '[]' },
  { name: '${VAR:-default} defined only later takes the default', line: 'FORWARD_DEFAULT=${LATER:-dflt}', key: 'FORWARD_DEFAULT', value: 'dflt' },
  { name: 'a # comment after a closing quote is dropped', line: 'QUOTED_NOTE="x y" # note', key: 'QUOTED_NOTE', value: 'x y' },
  { name: 'a " #" comment after an unquoted value is dropped', line: 'BARE_NOTE=x # note', key: 'BARE_NOTE', value: 'x' },
  { name: 'the later of two lines wins', line: 'EARLY=second', key: 'EARLY', value: 'second' },
];

const REFUSED: { name: string; line: string; message: RegExp }[] = [
  { name: 'an unterminated double quote', line: 'OPEN="no end', message: /OPEN: unterminated double quote/ },
  { name: 'an unterminated single quote', line: "OPEN='no end", message: /OPEN: unterminated single quote/ },
  { name: 'a double-quoted value over two lines', line: 'OPEN="first\nsecond"', message: /OPEN: unterminated double quote/ },
  { name: 'text after a closing quote', line: 'AFTER="x"y', message: /AFTER: unexpected text after the closing quote/ },
  { name: 'a line that is not KEY=value', line: 'just words', message: /neither KEY=value/ },
];

describe('config/env-file: one reader for the sidecar and setup', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'saml2jwt-readers-'));
    writeFileSync(path.join(dir, 'docker-compose.yml'), 'services: {}\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeEnv = (lines: string[]): string => {
    const file = path.join(dir, '.env');
    writeFileSync(file, ['CONFIG=~/.jitsi-meet-cfg', 'EARLY=early', ...lines, 'LATER=later', ''].join('\n'));
    return file;
  };

  it('both read every case to the same, documented value', () => {
    const file = writeEnv(CASES.map((c) => c.line));
    const sidecar = readEnvironment({}, file);
    const checkout = readJitsiCheckout(dir, dir);
    for (const c of CASES) {
      expect(sidecar[c.key], `sidecar: ${c.name}`).to.equal(c.value);
      expect(checkout.env.expanded(c.key), `setup: ${c.name}`).to.equal(c.value);
    }
  });

  for (const c of REFUSED) {
    it(`both refuse ${c.name}, naming the line`, async () => {
      const file = writeEnv(['GOOD=1', c.line]);
      expect(() => readEnvironment({}, file)).to.throw(new RegExp(`line 4: ${c.message.source}`));
      expect(() => readJitsiCheckout(dir, dir)).to.throw(MalformedEnvFile, new RegExp(`line 4: ${c.message.source}`));
      let err = '';
      const code = await setup([dir, '--non-interactive'], { out: () => undefined, err: (t) => (err += t), home: dir });
      expect(code).to.equal(1);
      expect(err).to.match(new RegExp(`the .env cannot be read safely: line 4: ${c.message.source}`));
    });
  }

  it('the real environment wins in ${...} for the sidecar, as for compose', () => {
    const file = writeEnv(['FROM_ENV=${EARLY}']);
    expect(readEnvironment({ EARLY: 'shell' }, file).FROM_ENV).to.equal('shell');
  });
});
