// What `serve` starts from: the validated Config plus the Policy its POLICY_FILE names. Config
// stays plain data; the policy is loaded here, once, and handed to the HTTP layer through its
// dependencies, so config never imports the layers (policy, identity) that read it.
import type { Config } from './config/config';
import { ConfigError, loadConfig } from './config/load';
import { loadPolicy, PolicyError } from './policy/load';
import type { Policy } from './policy/policy';

export interface Settings {
  cfg: Config;
  policy: Policy;
}

/** Throws ConfigError listing every problem, the policy file's included (named POLICY_FILE). */
export function loadSettings(env: Record<string, string | undefined>): Settings {
  const cfg = loadConfig(env);
  try {
    return { cfg, policy: loadPolicy(cfg.policyFile) };
  } catch (err) {
    if (err instanceof PolicyError) throw new ConfigError([`POLICY_FILE ${err.message}`]);
    throw err;
  }
}
