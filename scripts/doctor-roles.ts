// doctor's checks of moderators and the lobby (/work/shared/JITSI.md "Moderators and the lobby"):
// every module XMPP_MUC_MODULES names is in the prosody container, and jicofo's auto-owner agrees
// with the policy. Pure functions over inspect data and probe output, like doctor-checks.ts.
import { parseBoolean } from '../sidecar/src/config/boolean';
import { parsePolicy } from '../sidecar/src/policy/load';
import type { CheckResult, ComposeProject, ProbeResult, ServiceContainer } from './doctor-checks';

/** Prosody's plugin folders in the docker image: Jitsi's own, jitsi-contrib's, the operator's. */
export const pluginDirs = ['/prosody-plugins', '/prosody-plugins-contrib', '/prosody-plugins-custom'] as const;

/** Lists one plugin folder inside the prosody container. */
export function pluginDirProbe(dir: string): string[] {
  return ['ls', '-1', '--', dir];
}

/** The modules a comma list such as XMPP_MUC_MODULES names, in order, without blanks. */
export function moduleList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
}

/** Folder -> the names `ls -1` printed there; a folder whose listing failed is absent. */
export function pluginListing(listings: ReadonlyMap<string, ProbeResult>): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const [dir, probe] of listings) {
    if (probe.exitCode !== 0) continue;
    found.set(dir, new Set(probe.output.split('\n').map((l) => l.trim()).filter((l) => l !== '')));
  }
  return found;
}

/**
 * One result per module XMPP_MUC_MODULES names: the path where Prosody finds it (mod_X.lua, or a
 * mod_X folder), or the fix. listings undefined: prosody is not running, so nothing is checked.
 */
export function mucModuleChecks(prosody: ServiceContainer | undefined, listings: ReadonlyMap<string, ProbeResult> | undefined): CheckResult[] {
  if (!prosody) return [];
  const modules = moduleList(prosody.env.get('XMPP_MUC_MODULES'));
  if (modules.length === 0) return [];
  if (!listings) {
    return [{ ok: false, what: `prosody has the modules XMPP_MUC_MODULES names (${modules.join(', ')})`, fix: 'prosody is not running: start it, then run doctor again' }];
  }
  const found = pluginListing(listings);
  return modules.map((module): CheckResult => {
    for (const dir of pluginDirs) {
      const names = found.get(dir);
      const name = ['mod_' + module + '.lua', 'mod_' + module].find((n) => names?.has(n));
      if (name !== undefined) return { ok: true, what: `prosody module ${module}: ${dir}/${name}` };
    }
    return {
      ok: false,
      what: `prosody module ${module} (XMPP_MUC_MODULES) is not in ${pluginDirs.join(', ')}`,
      fix: `use a docker-jitsi-meet image that ships it (token_affiliation: /prosody-plugins; token_lobby_bypass: /prosody-plugins-contrib, since stable-9457), put mod_${module}.lua into \${CONFIG}/prosody/prosody-plugins-custom/, or remove it from XMPP_MUC_MODULES in .env; then recreate prosody`,
    };
  });
}

/** The policy as the sidecar reads it: its text, or why it could not be read; undefined: no POLICY_FILE. */
export type PolicyReading = { text: string } | { problem: string } | undefined;

/** Reads the sidecar's POLICY_FILE inside its container. */
export function policyProbe(sidecar: ServiceContainer | undefined): string[] | undefined {
  const file = sidecar?.env.get('POLICY_FILE');
  return file ? ['cat', '--', file] : undefined;
}

export function policyFromProbe(probe: ProbeResult): PolicyReading {
  if (probe.exitCode !== 0) return { problem: probe.exitCode === null ? 'timed out' : probe.output.trim().split('\n')[0] || `exit ${probe.exitCode}` };
  return { text: probe.output };
}

/**
 * A policy that makes people moderators needs token_affiliation in prosody and jicofo's
 * auto-owner off: with auto-owner on, jicofo makes the first participant owner, whoever it is.
 */
export function policyRoleChecks(project: ComposeProject, policy: PolicyReading): CheckResult[] {
  if (policy === undefined) return [];
  if ('problem' in policy) {
    return [{ ok: false, what: `saml2jwt's policy (POLICY_FILE) could not be read: ${policy.problem}`, fix: 'see `docker logs` of the saml2jwt container; jitsi-saml2jwt setup --moderators <policy.yml> installs it' }];
  }
  let namesModerators: boolean;
  let grantsLobbyBypass: boolean;
  try {
    ({ namesModerators, grantsLobbyBypass } = parsePolicy(policy.text, 'POLICY_FILE'));
  } catch (err) {
    return [{ ok: false, what: `saml2jwt's policy is not valid: ${(err as Error).message}`, fix: 'fix the policy file, then restart saml2jwt' }];
  }
  const results: CheckResult[] = [];
  const modules = moduleList(project.services.get('prosody')?.env.get('XMPP_MUC_MODULES'));
  if (namesModerators) {
    const autoOwner = project.services.get('jicofo')?.env.get('ENABLE_AUTO_OWNER');
    const off = autoOwner !== undefined && parseBoolean(autoOwner) === false;
    results.push(
      off
        ? { ok: true, what: 'the policy names moderators and jicofo\'s auto-owner is off (ENABLE_AUTO_OWNER=0)' }
        : {
            ok: false,
            what: `the policy names moderators, but jicofo makes the first participant owner (ENABLE_AUTO_OWNER=${autoOwner ?? 'unset, default on'}): the wrong people become owners`,
            fix: 'set ENABLE_AUTO_OWNER=0 in .env (jitsi-saml2jwt setup --moderators does) and recreate jicofo',
          },
    );
    results.push(
      modules.includes('token_affiliation')
        ? { ok: true, what: 'the policy names moderators and prosody reads them (token_affiliation)' }
        : { ok: false, what: 'the policy names moderators, but prosody ignores them: token_affiliation is not in XMPP_MUC_MODULES', fix: 'run jitsi-saml2jwt setup --moderators <policy.yml> (it adds token_affiliation), then recreate prosody' },
    );
  }
  if (grantsLobbyBypass) {
    results.push(
      modules.includes('token_lobby_bypass')
        ? { ok: true, what: 'the policy grants lobby_bypass and prosody honours it (token_lobby_bypass)' }
        : { ok: false, what: 'the policy grants lobby_bypass, but token_lobby_bypass is not in XMPP_MUC_MODULES: everyone waits in the lobby', fix: 'run jitsi-saml2jwt setup --moderators <policy.yml> (it adds token_lobby_bypass), then recreate prosody' },
    );
  }
  return results;
}

/**
 * muc_wait_for_host needs persistent_lobby on the main VirtualHost (XMPP_MODULES), and promotes
 * every signed-in user to owner unless WAIT_FOR_HOST_DISABLE_AUTO_OWNERS is on.
 */
export function waitForHostChecks(prosody: ServiceContainer | undefined): CheckResult[] {
  if (!prosody || !moduleList(prosody.env.get('XMPP_MUC_MODULES')).includes('muc_wait_for_host')) return [];
  const lobby = moduleList(prosody.env.get('XMPP_MODULES')).includes('persistent_lobby');
  const disable = prosody.env.get('WAIT_FOR_HOST_DISABLE_AUTO_OWNERS');
  const off = disable !== undefined && parseBoolean(disable) === true;
  return [
    lobby
      ? { ok: true, what: 'muc_wait_for_host has persistent_lobby (XMPP_MODULES)' }
      : { ok: false, what: 'muc_wait_for_host is on, but persistent_lobby is not in XMPP_MODULES', fix: 'run jitsi-saml2jwt setup --moderators <policy.yml> --wait-for-host (it adds it), then recreate prosody' },
    off
      ? { ok: true, what: 'muc_wait_for_host leaves owners to token_affiliation (WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=1)' }
      : {
          ok: false,
          what: `muc_wait_for_host makes every signed-in user owner (WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=${disable ?? 'unset'})`,
          fix: 'set WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=1 in .env (jitsi-saml2jwt setup --wait-for-host does) and recreate prosody',
        },
  ];
}
