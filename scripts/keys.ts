// `jitsi-saml2jwt keys`: generate (if absent) or show the SP's SAML key and certificate, with the
// SHA-256 fingerprint and expiry an IdP administrator asks for. Never overwrites, never prints
// the private key.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommandLine, reportUsageError, UsageError } from '../sidecar/src/command-line';
import { commitStaged, stageFile } from './atomic-write';
import { InvalidInput, checkEntityId, isHostName } from './input-checks';
import { NotAJitsiCheckout, readJitsiCheckout } from './jitsi-checkout';
import { MalformedEnvFile } from '../sidecar/src/config/env-file';
import { run as runJwtKeys } from './jwt-keys';
import { runSpRollover } from './sp-rollover-command';
import { certificateMatchesKey, createSpKeyPair, describeCertificate, spKeyFolderState } from './sp-keys';

export const keysUsage = `usage: jitsi-saml2jwt keys [--dir DIR | --jitsi-dir DIR] [--host HOST] [--entity-id ID] [--show]
       jitsi-saml2jwt keys rotate|list|revoke ...   the RS256 token signing keys (keys rotate --help)
       jitsi-saml2jwt keys sp-rollover add|switch|finish ...   change the SP's SAML key without an outage

  --dir DIR         folder holding sp-key.pem + sp-cert.pem (default: ./sp)
  --jitsi-dir DIR   use the docker-jitsi-meet checkout's \${CONFIG}/saml2jwt/sp (and its .env for defaults)
  --host HOST       certificate host name (default: the host of PUBLIC_URL)
  --entity-id ID    the SP's entityID, put into the certificate (default: SP_ENTITY_ID)
  --show            only show; never generate (also prints the certificate PEM)
  -h, --help        show this help
`;

const keysOptions = {
  dir: { type: 'string' },
  'jitsi-dir': { type: 'string' },
  host: { type: 'string' },
  'entity-id': { type: 'string' },
  show: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface KeysEnvironment {
  out?: (text: string) => void;
  err?: (text: string) => void;
  home?: string;
  now?: Date;
}

const expiryWarningDays = 90;

export async function run(argv: string[], environment: KeysEnvironment = {}): Promise<number> {
  if (argv[0] === 'rotate' || argv[0] === 'list' || argv[0] === 'revoke') return runJwtKeys(argv, environment);
  if (argv[0] === 'sp-rollover') return runSpRollover(argv.slice(1), environment);
  const out = environment.out ?? ((t: string) => void process.stdout.write(t));
  const err = environment.err ?? ((t: string) => void process.stderr.write(t));
  let opts;
  try {
    opts = parseCommandLine(argv, { options: keysOptions }).values;
  } catch (e) {
    if (e instanceof UsageError) return reportUsageError('keys', e, keysUsage, err);
    throw e;
  }
  if (opts.help) {
    out(keysUsage);
    return 0;
  }
  try {
    let dir = path.resolve(opts.dir ?? 'sp');
    let host = opts.host;
    let entityId = opts['entity-id'];
    if (opts['jitsi-dir'] !== undefined) {
      if (opts.dir !== undefined) throw new InvalidInput('give --dir or --jitsi-dir, not both');
      const checkout = readJitsiCheckout(opts['jitsi-dir'], environment.home ?? os.homedir());
      dir = path.join(checkout.configDir, 'saml2jwt', 'sp');
      const publicUrl = checkout.env.expanded('PUBLIC_URL');
      const serverName = checkout.env.expanded('SAML2JWT_MODE') === 'host' ? checkout.env.expanded('SERVER_NAME') : undefined;
      host ??= serverName ? serverName.split(':')[0] : publicUrl ? safeHost(publicUrl) : undefined;
      entityId ??= checkout.env.expanded('SP_ENTITY_ID') || (publicUrl ? `${publicUrl.replace(/\/+$/, '')}/saml2jwt/shibboleth` : undefined);
    }

    const state = spKeyFolderState(dir);
    if (state.keyExists !== state.certExists) {
      err(`keys: ${dir} holds only ${state.keyExists ? 'sp-key.pem' : 'sp-cert.pem'}; restore the other, or move both away to get a new pair\n`);
      return 1;
    }
    if (!state.keyExists) {
      if (opts.show) {
        err(`keys: no SP key and certificate in ${dir} (run without --show to generate them)\n`);
        return 1;
      }
      if (!host || !isHostName(host)) throw new InvalidInput(host ? `--host "${host}" is not a legal host name` : 'the certificate needs --host (or --jitsi-dir with PUBLIC_URL in its .env)');
      if (!entityId) entityId = `https://${host}/saml2jwt/shibboleth`;
      checkEntityId('--entity-id', entityId);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const pair = createSpKeyPair(host, entityId, environment.now);
      // certificate first, key last: a crash in between leaves a folder the next run refuses loudly
      commitStaged(stageFile(state.certPath, pair.certPem, 0o644), false);
      commitStaged(stageFile(state.keyPath, pair.keyPem, 0o600), false);
      out(`generated ${state.keyPath} (RSA 3072, mode 0600) and ${state.certPath}\n`);
    }

    const certPem = fs.readFileSync(state.certPath, 'utf8');
    const facts = describeCertificate(certPem);
    const matches = certificateMatchesKey(certPem, fs.readFileSync(state.keyPath, 'utf8'));
    const now = environment.now ?? new Date();
    const daysLeft = Math.floor((facts.validTo.getTime() - now.getTime()) / 86_400_000);
    out(
      [
        `certificate  ${state.certPath}`,
        `key          ${state.keyPath}${matches ? '' : '  (DOES NOT MATCH the certificate!)'}`,
        `subject      ${facts.subject.replace(/\n/g, ', ')}`,
        `names        ${facts.subjectAltName ?? '(none)'}`,
        `key size     ${facts.keyBits ?? '?'} bits`,
        `SHA-256      ${facts.fingerprint256}`,
        `expires      ${facts.validTo.toISOString()} (${daysLeft} days)`,
      ].join('\n') + '\n',
    );
    if (daysLeft < expiryWarningDays) err(`keys: the certificate expires in ${daysLeft} days: plan a key rollover with your IdP\n`);
    if (opts.show) out(certPem.endsWith('\n') ? certPem : certPem + '\n');
    return matches ? 0 : 1;
  } catch (e) {
    if (e instanceof InvalidInput) {
      err(`keys: ${e.message}\n`);
      return 2;
    }
    if (e instanceof NotAJitsiCheckout || e instanceof MalformedEnvFile) {
      err(`keys: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
