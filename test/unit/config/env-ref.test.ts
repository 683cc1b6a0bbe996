import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeConfig, loadConfig } from '../../../sidecar/src/config/load';
import { testEnv } from '../../support/config-fixture';

// .env_ref's "Sidecar" section as NAME -> default.
function sidecarSection(): Map<string, string> {
  const text = readFileSync(path.resolve(__dirname, '../../../.env_ref'), 'utf8');
  const vars = new Map<string, string>();
  let inSection = false;
  for (const line of text.split('\n')) {
    const section = /^#\s*===\s*(.+?)\s*===\s*$/.exec(line);
    if (section) inSection = section[1] === 'Sidecar';
    const variable = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (inSection && variable) vars.set(variable[1] as string, variable[2] as string);
  }
  return vars;
}

/** Every variable loadConfig looks at, over environments that take each branch. */
function variablesRead(): Set<string> {
  const read = new Set<string>();
  const apiKey = 'abcdef0123456789'.repeat(3);
  for (const env of [
    testEnv({ ENABLE_BACKEND_JWT_REQUEST: 'true', BACKEND_API_KEY: apiKey }),
    testEnv({ PUBLIC_URL: undefined, JITSI_DOMAIN: 'meet.example.org' }),
    testEnv({ JWT_APP_SECRET: undefined, JWT_SIGNING: 'RS256', JWT_KEYS_DIR: '/config/jwt-keys' }),
  ]) {
    const spy = new Proxy(env, {
      get(target, name: string) {
        read.add(name);
        return target[name];
      },
    });
    loadConfig(spy);
  }
  return read;
}

describe('config: .env_ref documents the sidecar', () => {
  it('every variable loadConfig reads is in the Sidecar section', () => {
    const read = variablesRead();
    expect(read.size).to.be.greaterThan(20);
    expect([...read].filter((n) => !sidecarSection().has(n)), 'read but not documented').to.deep.equal([]);
  });

  it('documents nothing the sidecar does not read', () => {
    const read = variablesRead();
    expect([...sidecarSection().keys()].filter((n) => !read.has(n)), 'documented but never read').to.deep.equal([]);
  });

  it('the documented defaults are the defaults loadConfig applies', () => {
    const defaults = Object.fromEntries(sidecarSection());
    const explicit = loadConfig({ ...defaults, ...testEnv() });
    const implicit = loadConfig(testEnv());
    expect(describeConfig(explicit)).to.deep.equal(describeConfig(implicit));
  });
});
