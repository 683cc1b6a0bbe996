// What `serve` starts from: the validated Config plus the Policy its POLICY_FILE names. Config
// stays plain data; the policy is loaded here, once, and handed to the HTTP layer through its
// dependencies, so config never imports the layers (policy, identity) that read it.
import type { Config } from './config/config';
import { ConfigError, loadConfig } from './config/load';
import { NAME_READONLY } from './policy/features';
import { loadPolicy, PolicyError } from './policy/load';
import type { Policy } from './policy/policy';
import { KeyDirectoryError, openKeyRing, type KeyRing } from './token/keys/key-ring';

export interface Settings {
  cfg: Config;
  policy: Policy;
  /** JWT_SIGNING=RS256: the keys of JWT_KEYS_DIR, read once here so that their problems stop the start. */
  keys?: KeyRing;
}

/** Throws ConfigError listing every problem, the policy file's and the key folder's included. */
export function loadSettings(env: Record<string, string | undefined>): Settings {
  const cfg = loadConfig(env);
  const problems: string[] = [];
  let policy: Policy | undefined;
  let keys: KeyRing | undefined;
  try {
    // READONLY_NAMES: name-readonly for every token, under what the policy's own defaults and rules say.
    policy = loadPolicy(cfg.policyFile, cfg.readonlyNames ? { [NAME_READONLY]: true } : {});
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    problems.push(`POLICY_FILE ${err.message}`);
  }
  try {
    keys = openKeyRing(cfg);
  } catch (err) {
    if (!(err instanceof KeyDirectoryError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0 || !policy) throw new ConfigError(problems);
  return keys ? { cfg, policy, keys } : { cfg, policy };
}
