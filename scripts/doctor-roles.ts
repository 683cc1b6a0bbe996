// doctor's checks of moderators and the lobby (/work/shared/JITSI.md "Moderators and the lobby"):
// every module XMPP_MUC_MODULES / XMPP_MODULES names is where Prosody looks for it in the prosody
// container, and jicofo's auto-owner agrees with the policy. Pure functions over inspect data and
// probe output, like doctor-checks.ts.
import { parsePolicy } from '../sidecar/src/policy/load';
import type { CheckResult, ComposeProject, ProbeResult, ServiceContainer } from './doctor-checks';
import { jitsiFlag } from './jitsi-flag';

/**
 * Where Prosody looks for a module, in its order: docker-jitsi-meet's plugin_paths
 * (prosody/rootfs/defaults/conf.d/jitsi-meet.cfg.lua: the operator's folder, Jitsi's own from
 * jitsi-meet-prosody, jitsi-contrib's), then Prosody's own modules (the prosody.im package).
 */
export const pluginDirs = ['/prosody-plugins-custom', '/prosody-plugins', '/prosody-plugins-contrib', '/usr/lib/prosody/modules'] as const;

/**
 * The module files in those folders, in one exec. Prosody finds module X as mod_X.lua, or in a
 * folder: mod_X/mod_X.lua, X/mod_X.lua (jitsi-contrib's layout, /prosody-plugins-contrib/X/) or
 * mod_X/X/mod_X.lua (util/pluginloader.lua), hence three levels. A missing folder (an image
 * from before jitsi-contrib was bundled, no custom plugins) is an error line, not a failure.
 */
export const pluginProbe: readonly string[] = ['find', ...pluginDirs, '-maxdepth', '3', '-name', 'mod_*.lua'];

/** The paths pluginloader tries for module X inside one folder, in its order. */
function candidates(module: string): string[] {
  return [`mod_${module}/${module}/mod_${module}.lua`, `mod_${module}/mod_${module}.lua`, `${module}/mod_${module}.lua`, `mod_${module}.lua`];
}

/**
 * The modules a comma list such as XMPP_MUC_MODULES names, split as docker-jitsi-meet's template
 * does (`splitList "," | compact`): empty entries dropped, nothing trimmed, so " token_affiliation"
 * is a module Prosody will not find.
 */
export function moduleList(value: string | undefined): string[] {
  return (value ?? '').split(',').filter((m) => m !== '');
}

/** Module lists of the prosody container that name modules Prosody must load. */
const moduleLists = ['XMPP_MUC_MODULES', 'XMPP_MODULES'] as const;

/** The module names prosody is told to load, with the variable naming each. */
export function namedModules(prosody: ServiceContainer | undefined): Array<{ module: string; list: string }> {
  if (!prosody) return [];
  return moduleLists.flatMap((list) => moduleList(prosody.env.get(list)).map((module) => ({ module, list })));
}

/** Where each module comes from when the prosody image lacks it, for the fix. */
function missingModuleFix(module: string, list: string): string {
  const remove = `or remove it from ${list} in .env; then recreate prosody`;
  if (module === 'token_lobby_bypass' || module === 'lobby_autostart') {
    return `use docker-jitsi-meet stable-9457 or later (JITSI_IMAGE_VERSION): its prosody image bundles jitsi-contrib's plugins in /prosody-plugins-contrib, ${remove}`;
  }
  if (['token_affiliation', 'muc_wait_for_host', 'persistent_lobby', 'muc_displayname'].includes(module)) {
    return `use a current docker-jitsi-meet prosody image (JITSI_IMAGE_VERSION): Jitsi's prosody package ships it in /prosody-plugins, ${remove}`;
  }
  return `put mod_${module}.lua (or ${module}/mod_${module}.lua) into \${CONFIG}/prosody/prosody-plugins-custom/, ${remove}`;
}

/**
 * One result per module XMPP_MUC_MODULES and XMPP_MODULES name: the file Prosody loads (the first
 * folder and form in its order), or the fix. probe undefined: prosody is not running.
 */
export function prosodyModuleChecks(prosody: ServiceContainer | undefined, probe: ProbeResult | undefined): CheckResult[] {
  const named = namedModules(prosody);
  if (named.length === 0) return [];
  const modules = named.map((n) => n.module).join(', ');
  if (!probe) return [{ ok: false, what: `prosody has the modules ${moduleLists.join(' and ')} name (${modules})`, fix: 'prosody is not running: start it, then run doctor again' }];
  const lines = probe.output.split('\n').map((l) => l.trim());
  const files = new Set(lines.filter((l) => l.startsWith('/')));
  if (files.size === 0) {
    const why = probe.exitCode === null ? 'timed out' : lines.find((l) => l !== '') ?? `exit ${probe.exitCode}`;
    return [{ ok: false, what: `prosody's plugin folders could not be listed (${why})`, fix: `see \`docker logs\` of the prosody container; doctor runs \`${pluginProbe.join(' ')}\` in it` }];
  }
  return named.map(({ module, list }): CheckResult => {
    if (/\s/.test(module)) {
      return { ok: false, what: `prosody module "${module}" (${list}) has white space in its name: Prosody looks for mod_${module}.lua as written`, fix: `write ${list} without spaces (a,b,c) in .env, then recreate prosody` };
    }
    for (const dir of pluginDirs) {
      const found = candidates(module).find((rel) => files.has(`${dir}/${rel}`));
      if (found !== undefined) return { ok: true, what: `prosody module ${module} (${list}): ${dir}/${found}` };
    }
    return { ok: false, what: `prosody module ${module} (${list}) is in none of ${pluginDirs.join(', ')}`, fix: missingModuleFix(module, list) };
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

/** A Jitsi flag's value as a line shows it. */
const shown = (value: string | undefined, unset: string): string => (value === undefined || value === '' ? unset : value);

/**
 * jicofo's auto-owner makes the first participant owner, whoever it is. It must be off whenever
 * token_affiliation (or a policy naming moderators) decides who is owner. jicofo's template writes
 * enable-auto-owner only when ENABLE_AUTO_OWNER is set; unset, jicofo's default (on) applies.
 */
function autoOwnerCheck(project: ComposeProject, why: string): CheckResult {
  const value = project.services.get('jicofo')?.env.get('ENABLE_AUTO_OWNER');
  const flag = value === undefined || value === '' ? true : jitsiFlag(value);
  const fix = 'set ENABLE_AUTO_OWNER=0 in .env (jitsi-saml2jwt setup --moderators does) and recreate jicofo';
  if (flag === false) return { ok: true, what: `${why}, and jicofo's auto-owner is off (ENABLE_AUTO_OWNER=${value})` };
  if (flag === undefined) return { ok: false, what: `jicofo's template cannot read ENABLE_AUTO_OWNER=${value} (it takes 1/0 or true/false)`, fix };
  return { ok: false, what: `${why}, but jicofo makes the first participant owner (ENABLE_AUTO_OWNER=${shown(value, 'unset, default on')}): the wrong people become owners`, fix };
}

/**
 * The policy against prosody and jicofo: moderators need token_affiliation and auto-owner off,
 * lobby_bypass needs token_lobby_bypass. token_affiliation without a policy (a backend that
 * states roles through /getToken) needs auto-owner off too.
 */
export function policyRoleChecks(project: ComposeProject, policy: PolicyReading): CheckResult[] {
  let namesModerators = false;
  let grantsLobbyBypass = false;
  if (policy !== undefined && 'problem' in policy) {
    return [{ ok: false, what: `saml2jwt's policy (POLICY_FILE) could not be read: ${policy.problem}`, fix: 'see `docker logs` of the saml2jwt container; jitsi-saml2jwt setup --moderators <policy.yml> installs it' }];
  }
  if (policy !== undefined) {
    try {
      ({ namesModerators, grantsLobbyBypass } = parsePolicy(policy.text, 'POLICY_FILE'));
    } catch (err) {
      return [{ ok: false, what: `saml2jwt's policy is not valid: ${(err as Error).message}`, fix: 'fix the policy file, then restart saml2jwt' }];
    }
  }
  const results: CheckResult[] = [];
  const modules = moduleList(project.services.get('prosody')?.env.get('XMPP_MUC_MODULES'));
  const affiliation = modules.includes('token_affiliation');
  if (namesModerators) {
    results.push(
      affiliation
        ? { ok: true, what: 'the policy names moderators and prosody reads them (token_affiliation)' }
        : { ok: false, what: 'the policy names moderators, but prosody ignores them: token_affiliation is not in XMPP_MUC_MODULES', fix: 'run jitsi-saml2jwt setup --moderators <policy.yml> (it adds token_affiliation), then recreate prosody' },
    );
  }
  if (namesModerators || affiliation) {
    results.push(autoOwnerCheck(project, namesModerators ? 'the policy names moderators' : 'token_affiliation decides moderators'));
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
 * muc_wait_for_host needs persistent_lobby on the main VirtualHost (XMPP_MODULES), and makes
 * every signed-in user owner unless WAIT_FOR_HOST_DISABLE_AUTO_OWNERS is on (the template reads
 * it with toBool, default false).
 */
export function waitForHostChecks(prosody: ServiceContainer | undefined): CheckResult[] {
  if (!prosody || !moduleList(prosody.env.get('XMPP_MUC_MODULES')).includes('muc_wait_for_host')) return [];
  const lobby = moduleList(prosody.env.get('XMPP_MODULES')).includes('persistent_lobby');
  const disable = prosody.env.get('WAIT_FOR_HOST_DISABLE_AUTO_OWNERS');
  return [
    lobby
      ? { ok: true, what: 'muc_wait_for_host has persistent_lobby (XMPP_MODULES)' }
      : { ok: false, what: 'muc_wait_for_host is on, but persistent_lobby is not in XMPP_MODULES', fix: 'run jitsi-saml2jwt setup --moderators <policy.yml> --wait-for-host (it adds it), then recreate prosody' },
    jitsiFlag(disable || 'false') === true
      ? { ok: true, what: `muc_wait_for_host leaves owners to token_affiliation (WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=${disable})` }
      : {
          ok: false,
          what: `muc_wait_for_host makes every signed-in user owner (WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=${shown(disable, 'unset')})`,
          fix: 'set WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=1 in .env (jitsi-saml2jwt setup --wait-for-host does) and recreate prosody',
        },
  ];
}
