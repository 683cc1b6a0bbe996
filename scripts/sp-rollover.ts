// `jitsi-saml2jwt keys sp-rollover add|switch|finish`: change the SP's SAML key without an outage
// (shared/FEDERATION.md "Keys change without an outage"; Shibboleth SP3 wiki "Multiple
// Credentials"). The SP's image renders a Chaining resolver from the key folder: sp-key.pem signs,
// and a second pair decrypts too while a rollover runs.
//
//   add     a new pair beside the old one, sp-key-next.pem: both decrypt, the old one signs; the
//           metadata lists both. Upload it, and wait until the federation publishes it.
//   switch  the new pair signs (it becomes sp-key.pem), the old one (sp-key-old.pem) still decrypts
//           what IdPs encrypt with the metadata they still hold.
//   finish  the old pair goes; the metadata lists the new certificate only.
//
// Every step is a link or a rename in the key folder, so a crash leaves either the old or the new
// state of each file, and running the same phase again completes it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commitStaged, stageFile } from './atomic-write';
import { InvalidInput } from './input-checks';
import { certificateMatchesKey, createSpKeyPair, describeCertificate, spCertFile, spKeyFile } from './sp-keys';

/** switching: a switch stopped half-way (both -next and -old names exist); `switch` completes it. */
export type RolloverPhase = 'none' | 'added' | 'switching' | 'switched';

const pairFiles = (dir: string, suffix: '' | '-next' | '-old') => ({
  key: path.join(dir, suffix === '' ? spKeyFile : `sp-key${suffix}.pem`),
  cert: path.join(dir, suffix === '' ? spCertFile : `sp-cert${suffix}.pem`),
});

const exists = (file: string): boolean => fs.existsSync(file);

/** Where a rollover stands in the key folder; a half-done step counts as its phase (run it again to finish). */
export function rolloverPhase(dir: string): RolloverPhase {
  const next = pairFiles(dir, '-next');
  const old = pairFiles(dir, '-old');
  const hasNext = exists(next.key) || exists(next.cert);
  const hasOld = exists(old.key) || exists(old.cert);
  if (hasNext && hasOld) return 'switching';
  if (hasNext) return 'added';
  if (exists(old.key) || exists(old.cert)) return 'switched';
  return 'none';
}

/** The SP's certificates, the signing one first: what its metadata lists. */
export function spCertificates(dir: string): string[] {
  const certs = [pairFiles(dir, '').cert, pairFiles(dir, '-next').cert, pairFiles(dir, '-old').cert].filter(exists);
  return certs.map((file) => fs.readFileSync(file, 'utf8'));
}

/** add: a new pair, sp-key-next.pem + sp-cert-next.pem, never overwriting anything. */
export function rolloverAdd(dir: string, host: string, entityId: string, now = new Date()): string {
  if (!exists(pairFiles(dir, '').key)) throw new InvalidInput(`${dir} has no sp-key.pem: there is no key to roll over (setup makes the first)`);
  const phase = rolloverPhase(dir);
  if (phase !== 'none') throw new InvalidInput(`a rollover is in progress in ${dir} (${phase}): run \`keys sp-rollover ${phase === 'switched' ? 'finish' : 'switch'}\` first`);
  const next = pairFiles(dir, '-next');
  const pair = createSpKeyPair(host, entityId, now);
  // The key before the certificate: a crash in between leaves a key alone, which `add` refuses
  // to replace and the image does not load (it needs both).
  commitStaged(stageFile(next.key, pair.keyPem, 0o600), false);
  commitStaged(stageFile(next.cert, pair.certPem, 0o644), false);
  return describeCertificate(pair.certPem).fingerprint256;
}

/** switch: the new pair signs; the old one stays as sp-key-old.pem and still decrypts. */
export function rolloverSwitch(dir: string): void {
  const current = pairFiles(dir, '');
  const next = pairFiles(dir, '-next');
  const old = pairFiles(dir, '-old');
  const phase = rolloverPhase(dir);
  if (phase === 'none') throw new InvalidInput(`no rollover in progress in ${dir}: \`keys sp-rollover add\` first`);
  if (phase === 'switched') throw new InvalidInput(`${dir} has switched already: \`keys sp-rollover finish\` when the IdPs have the new metadata`);
  if (phase === 'added') {
    if (!exists(next.key) || !exists(next.cert)) throw new InvalidInput(`${dir} holds only one of sp-key-next.pem and sp-cert-next.pem: run \`keys sp-rollover add\` again after removing it`);
    if (!certificateMatchesKey(fs.readFileSync(next.cert, 'utf8'), fs.readFileSync(next.key, 'utf8'))) throw new InvalidInput('sp-cert-next.pem does not belong to sp-key-next.pem');
    // Keep the current pair under its old name first (links: both names hold it for a moment).
    for (const [from, to] of [[current.key, old.key], [current.cert, old.cert]] as const) if (!exists(to)) fs.linkSync(from, to);
  }
  // Then the new pair takes the current names; each rename replaces atomically.
  for (const [from, to] of [[next.key, current.key], [next.cert, current.cert]] as const) if (exists(from)) fs.renameSync(from, to);
  if (!certificateMatchesKey(fs.readFileSync(current.cert, 'utf8'), fs.readFileSync(current.key, 'utf8'))) {
    throw new Error(`after the switch, ${current.cert} does not belong to ${current.key}: restore both from sp-*-old.pem`);
  }
}

/** finish: the old pair goes. */
export function rolloverFinish(dir: string): void {
  const phase = rolloverPhase(dir);
  if (phase !== 'switched') throw new InvalidInput(`no switched rollover to finish in ${dir}${phase === 'none' ? '' : ': `keys sp-rollover switch` first'}`);
  const old = pairFiles(dir, '-old');
  for (const file of [old.key, old.cert]) fs.rmSync(file, { force: true });
}
