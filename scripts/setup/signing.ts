// How tokens are signed (--signing): HS256 with the shared JWT_APP_SECRET, or RS256 with private
// keys only the sidecar holds, a key server Prosody fetches public keys from, and the JWK set it
// re-reads (cache_keys_url) so that a revoked key leaves it without a restart.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readKeyDirectory } from '../../sidecar/src/token/keys/key-directory';
import type { FileAccess } from '../file-owner';
import { InvalidInput } from '../input-checks';
import { JWT_KEY_BITS, jwtKeysDir } from '../jwt-keys';
import { jwksUrl, sidecarOnMeetNetwork, withOurCacheKeysUrl, withoutOurCacheKeysUrl } from '../prosody-cache-keys';
import { hasContainerOwner, secretDirMode, secretOwnerFix } from '../secret-files';
import type { PlanContext, PlannedDirAccess, PlannedFile } from '../setup-plan';
import type { SetupFeature } from './draft';
import { sameAccess, statOrNull } from './file-state';
import { isStrongSecret } from './strong-secret';

/** Prosody reaches the key server over meet.jitsi; the sidecar image's backend port is 8081. */
export const keyServerUrl = `${sidecarOnMeetNetwork}/asap`;
/** Ends the JWT_APP_SECRET line an rs256 run comments out; an hs256 run looks for it. */
export const appSecretNote = 'jitsi-saml2jwt: unused with JWT_SIGNING=RS256 (Prosody would still accept HS256 tokens made with it); setup --signing hs256 restores it';

export const signing: SetupFeature = {
  name: 'token signing',
  flags: ['--signing', '--rotate-secret'],
  doctorChecks: ['prosody and the sidecar share JWT_APP_SECRET (HS256)', 'prosody holds no JWT_APP_SECRET and expects RS256', 'prosody gets every published key (key server, cache_keys_url)'],
  plan(draft) {
    const { inputs, env } = draft;
    const rs256 = inputs.signing === 'rs256';
    if (rs256 && inputs.rotateSecret) throw new InvalidInput('--rotate-secret is for HS256; with --signing rs256 there is no shared secret (add a key with `jitsi-saml2jwt keys rotate`)');
    if (rs256) {
      // docker-jitsi-meet gives Prosody app_secret whenever JWT_APP_SECRET is non-empty, and the
      // sidecar refuses it in RS256 mode: keep the value only as a comment, for --signing hs256.
      if (env.commentOut('JWT_APP_SECRET', appSecretNote)) draft.changed.push('JWT_APP_SECRET (commented out)');
      draft.set('JWT_SIGNING', 'RS256');
      draft.set('JWT_SIGN_TYPE', 'RS256');
      draft.set('JWT_ASAP_KEYSERVER', keyServerUrl);
      // Prosody also reads our JWK set (cache_keys_url), so a revoked key leaves it without a
      // restart; asap_key_server still answers for a kid the set has not shown it yet.
      draft.set('XMPP_CONFIGURATION', withOurCacheKeysUrl(draft.expanded('XMPP_CONFIGURATION')));
      planFirstJwtKey(draft);
      draft.useOverlay('saml2jwt-rs256.yml');
      draft.notes.push(
        `RS256: Prosody fetches the public keys from ${keyServerUrl} and reads the JWK set ${jwksUrl} (cache_keys_url in XMPP_CONFIGURATION); \`jitsi-saml2jwt keys rotate --jitsi-dir ${draft.checkout.dir}\` adds a key and \`keys revoke <kid>\` withdraws one, without restarting the sidecar`,
      );
      return;
    }
    if (env.uncomment('JWT_APP_SECRET', appSecretNote)) draft.changed.push('JWT_APP_SECRET (restored)');
    for (const key of ['JWT_SIGNING', 'JWT_SIGN_TYPE', 'JWT_ASAP_KEYSERVER']) if (draft.expanded(key)) draft.set(key, '');
    const xmppConfiguration = draft.expanded('XMPP_CONFIGURATION');
    if (xmppConfiguration) draft.set('XMPP_CONFIGURATION', withoutOurCacheKeysUrl(xmppConfiguration));
    const secret = draft.expanded('JWT_APP_SECRET');
    draft.secretRotated = inputs.rotateSecret && isStrongSecret(secret);
    if (inputs.rotateSecret || !isStrongSecret(secret)) {
      draft.set('JWT_APP_SECRET', draft.newSecret());
      draft.generated.push(draft.secretRotated ? 'JWT_APP_SECRET rotated (every issued token is now invalid)' : 'JWT_APP_SECRET generated (64 hex characters)');
    }
  },
};

// The first key when the folder has none (never overwritten; `keys rotate` adds the next ones);
// the folder readable by the sidecar (uid 1000) only.
function planFirstJwtKey(draft: Parameters<SetupFeature['plan']>[0]): void {
  const dir = jwtKeysDir(draft.checkout.configDir);
  const { files, dirAccess } = firstJwtKey(dir, draft.ctx, draft.secretAccessOf);
  draft.dirAccess.push(...dirAccess);
  if (!hasContainerOwner(draft.secretAccessOf(0o600))) {
    draft.notes.push(`the RS256 keys in ${dir} must belong to uid 1000 (the sidecar's user), which only root can arrange: ${secretOwnerFix(dir)}, then start Jitsi`);
  }
  for (const file of files) {
    draft.dirs.add(path.dirname(file.path));
    draft.files.push(file);
    draft.generated.push(`first RS256 signing key ${path.basename(file.path)} in ${dir} (RSA ${JWT_KEY_BITS}, mode 0600); it signs at once`);
  }
}

function firstJwtKey(dir: string, ctx: PlanContext, accessOf: (mode: number) => FileAccess): { files: PlannedFile[]; dirAccess: PlannedDirAccess[] } {
  const dirAccess = sameAccess(statOrNull(dir), accessOf(secretDirMode)) ? [] : [{ path: dir, access: accessOf(secretDirMode) }];
  const existing = fs.existsSync(dir) ? readKeyDirectory(dir) : undefined;
  if (existing && 'keys' in existing) return { files: [], dirAccess };
  if (existing && !existing.problems.every((p) => p.includes('holds no key'))) {
    throw new InvalidInput(`the RS256 key folder has problems; fix them first:\n  ${existing.problems.join('\n  ')}`);
  }
  const key = ctx.makeJwtKey ? ctx.makeJwtKey() : null;
  const access = accessOf(0o600);
  const file: PlannedFile = {
    path: path.join(dir, key?.name ?? '<now>.pem'),
    before: null,
    after: key?.pem ?? `(a new RSA ${JWT_KEY_BITS} private key)\n`,
    mode: access.mode,
    replace: false,
    secret: true,
    holdsSecrets: false,
    access,
    backup: false,
  };
  return { files: [file], dirAccess };
}
