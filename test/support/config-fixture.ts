// A valid environment and Config for tests, with overrides. Secrets are random per process, so no
// test can pass because of a fixed value.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Config } from '../../sidecar/src/config/config';
import { ConfigError, loadConfig } from '../../sidecar/src/config/load';
import { loadSettings } from '../../sidecar/src/settings';

export const TEST_APP_SECRET = randomBytes(32).toString('hex');
export const TEST_PROXY_SECRET = randomBytes(32).toString('hex');
export const TEST_API_KEY = randomBytes(32).toString('hex');

export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    JWT_APP_ID: 'saml2jwt-test',
    JWT_APP_SECRET: TEST_APP_SECRET,
    PUBLIC_URL: 'https://meet.example.org',
    SIDECAR_PROXY_SECRET: TEST_PROXY_SECRET,
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig(testEnv(overrides));
}

/** The problems the sidecar's start (loadSettings: configuration, policy, key folder) reports; fails the test if it starts. */
export function startProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadSettings(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return expect.fail('the sidecar accepted an invalid configuration');
}
