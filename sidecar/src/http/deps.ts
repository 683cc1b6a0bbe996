// What the HTTP layer is built from: everything is created once at start and passed in.
import type { Config } from '../config/config';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { Policy } from '../policy/policy';
import type { KeyRing } from '../token/keys/key-ring';
import type { Signer } from '../token/sign';
import type { MeetingUrls } from '../meeting/meeting-url';
import type { Readiness } from './readiness';
import type { RefusalAudit } from './token-endpoint/refusal-audit';

export interface HttpDeps {
  cfg: Config;
  /** Loaded once by serve from cfg.policyFile. */
  policy: Policy;
  log: Logger;
  metrics: Metrics;
  sign: Signer;
  /** RS256 only: the keys that sign and that the key server publishes. */
  keys?: KeyRing;
  urls: MeetingUrls;
  readiness: Readiness;
  /** Audit lines of refused token requests, summarised during a flood. */
  refusals: RefusalAudit;
}
