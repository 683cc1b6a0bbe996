// `jitsi-saml2jwt keys sp-rollover add|switch|finish [--dir DIR | --jitsi-dir DIR]`: the phases of
// an SP key rollover (sp-rollover.ts), each followed by what the operator does next. With
// --jitsi-dir, the federation's SP metadata (setup --sp-info) is written again for the new
// phase's certificates, for the registrar and for the SP to serve.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommandLine, reportUsageError, UsageError } from '../sidecar/src/command-line';
import { MalformedEnvFile } from '../sidecar/src/config/env-file';
import { commitStaged, stageFile } from './atomic-write';
import { InvalidInput, isHostName } from './input-checks';
import { NotAJitsiCheckout, readJitsiCheckout, type JitsiCheckout } from './jitsi-checkout';
import { spInfoCopy, spMetadataFile } from './setup/sp-metadata';
import { parseSpInfoYaml, readSpInfo } from './sp-metadata/sp-info';
import { spMetadataXml } from './sp-metadata/sp-metadata-document';
import { siteBaseOf } from './site-base';
import { rolloverAdd, rolloverFinish, rolloverSwitch, spCertificates } from './sp-rollover';

export const spRolloverUsage = `usage: jitsi-saml2jwt keys sp-rollover add|switch|finish [--dir DIR | --jitsi-dir DIR] [--host HOST] [--entity-id ID]

Changes the SP's SAML key without an outage, in three steps, each followed by a restart of saml-sp:
  add     a new key beside the old one: both decrypt, the old one signs, the metadata lists both.
          Upload the metadata to your federation (or give your IdP the new certificate) and wait
          until it is published (IdPs refresh metadata within a day, often hours).
  switch  the new key signs; the old one still decrypts. Upload the metadata again.
  finish  the old key goes; the metadata lists the new certificate only. Upload it once more.

  --dir DIR         the SP key folder (default: ./sp)
  --jitsi-dir DIR   the docker-jitsi-meet checkout: its \${CONFIG}/saml2jwt/sp, and the SP metadata
                    setup --sp-info wrote, written again for each step
  --host HOST       the new certificate's host name (add; default: the host of PUBLIC_URL)
  --entity-id ID    the SP's entityID, put into the new certificate (add; default: SP_ENTITY_ID)
  -h, --help        show this help
`;

const options = {
  dir: { type: 'string' },
  'jitsi-dir': { type: 'string' },
  host: { type: 'string' },
  'entity-id': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const phases = ['add', 'switch', 'finish'] as const;

export interface RolloverEnvironment {
  out?: (text: string) => void;
  err?: (text: string) => void;
  home?: string;
  now?: Date;
}

export async function runSpRollover(argv: string[], environment: RolloverEnvironment = {}): Promise<number> {
  const out = environment.out ?? ((t: string) => void process.stdout.write(t));
  const err = environment.err ?? ((t: string) => void process.stderr.write(t));
  let args;
  try {
    args = parseCommandLine(argv, { options, maxPositionals: 1 });
    if (!args.values.help && !phases.includes(args.positionals[0] as (typeof phases)[number])) throw new UsageError(`give the step: ${phases.join(', ')}`);
  } catch (e) {
    if (e instanceof UsageError) return reportUsageError('keys sp-rollover', e, spRolloverUsage, err);
    throw e;
  }
  if (args.values.help) {
    out(spRolloverUsage);
    return 0;
  }
  const phase = args.positionals[0] as (typeof phases)[number];
  try {
    if (args.values.dir !== undefined && args.values['jitsi-dir'] !== undefined) throw new InvalidInput('give --dir or --jitsi-dir, not both');
    const checkout = args.values['jitsi-dir'] === undefined ? undefined : readJitsiCheckout(args.values['jitsi-dir'], environment.home ?? os.homedir());
    const dir = checkout ? path.join(checkout.configDir, 'saml2jwt', 'sp') : path.resolve(args.values.dir ?? 'sp');
    const site = checkout ? siteOf(checkout) : undefined;
    if (phase === 'add') {
      const host = args.values.host ?? (site ? new URL(site.base).hostname : undefined);
      if (!host || !isHostName(host)) throw new InvalidInput('the new certificate needs --host (or --jitsi-dir with PUBLIC_URL in its .env)');
      const fingerprint = rolloverAdd(dir, host, args.values['entity-id'] ?? site?.entityId ?? `https://${host}/saml2jwt/shibboleth`, environment.now);
      out(`added sp-key-next.pem and sp-cert-next.pem in ${dir} (SHA-256 ${fingerprint}): both keys decrypt, sp-key.pem still signs\n`);
    } else if (phase === 'switch') {
      rolloverSwitch(dir);
      out(`switched in ${dir}: the new key (sp-key.pem) signs, the old one (sp-key-old.pem) still decrypts\n`);
    } else {
      rolloverFinish(dir);
      out(`finished in ${dir}: the old key is gone\n`);
    }
    const metadata = checkout && site ? writeRegistrarMetadata(checkout, dir, site) : undefined;
    const restart = checkout ? `cd ${checkout.dir} && docker compose -f docker-compose.yml -f saml2jwt.yml restart saml-sp` : 'restart saml-sp';
    const upload = metadata ? `upload ${metadata} to your federation's registrar (the SP serves it too)` : 'give your IdP or federation the SP metadata with the certificates now in the key folder (setup --sp-info writes it)';
    const next = { add: 'when the federation has published it, `keys sp-rollover switch`', switch: 'when the IdPs have refreshed it, `keys sp-rollover finish`', finish: 'the rollover is done' }[phase];
    out(`next: ${restart}; ${upload}; ${next}\n`);
    return 0;
  } catch (e) {
    if (e instanceof InvalidInput || e instanceof NotAJitsiCheckout || e instanceof MalformedEnvFile) {
      err(`keys sp-rollover: ${e.message}\n`);
      return e instanceof InvalidInput ? 2 : 1;
    }
    throw e;
  }
}

/** Where the browser and IdPs reach the SP, and its entityID, as setup wrote them into the .env. */
function siteOf(checkout: JitsiCheckout): { base: string; entityId: string } | undefined {
  const env = (key: string): string | undefined => checkout.env.expanded(key) || undefined;
  const publicUrl = env('PUBLIC_URL')?.replace(/\/+$/, '');
  const base = siteBaseOf(checkout) ?? publicUrl;
  if (!base) return undefined;
  return { base, entityId: env('SP_ENTITY_ID') ?? `${publicUrl ?? base}/saml2jwt/shibboleth` };
}

/** The federation's SP metadata for the certificates now in the key folder, when setup --sp-info made one. */
function writeRegistrarMetadata(checkout: JitsiCheckout, dir: string, site: { base: string; entityId: string }): string | undefined {
  const saml2jwtDir = path.join(checkout.configDir, 'saml2jwt');
  const infoFile = path.join(saml2jwtDir, spInfoCopy);
  if (!fs.existsSync(infoFile)) return undefined;
  const info = readSpInfo(parseSpInfoYaml(fs.readFileSync(infoFile, 'utf8'), infoFile), infoFile);
  const xml = spMetadataXml({ entityId: site.entityId, handlerUrl: `${site.base}/saml2jwt/Shibboleth.sso`, certificates: spCertificates(dir), info });
  const registrar = path.join(saml2jwtDir, spMetadataFile);
  for (const file of [path.join(dir, spMetadataFile), registrar]) commitStaged(stageFile(file, xml, 0o644), true);
  return registrar;
}
