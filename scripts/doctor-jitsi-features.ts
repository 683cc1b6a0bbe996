// doctor: the Jitsi features setup wires (issue 21) against what prosody and jicofo are told:
// a lobby for every meeting, read-only names, visitors, and that our tokens do not make every
// user an owner through muc_allowners. Pure functions over inspect data, like doctor-roles.ts.
import type { Policy } from '../sidecar/src/policy/policy';
import type { CheckResult, ComposeProject } from './doctor-checks';
import { moduleList } from './doctor-roles';
import { jitsiFlag } from './jitsi-flag';

const recreate = 'then recreate prosody (docker compose … up -d)';

/** lobby_autostart needs persistent_lobby (main VirtualHost) and token_lobby_bypass, or nobody gets in. */
export function lobbyChecks(project: ComposeProject): CheckResult[] {
  const prosody = project.services.get('prosody');
  const muc = moduleList(prosody?.env.get('XMPP_MUC_MODULES'));
  if (!muc.includes('lobby_autostart')) return [];
  const main = moduleList(prosody?.env.get('XMPP_MODULES'));
  return [
    main.includes('persistent_lobby')
      ? { ok: true, what: 'lobby_autostart has persistent_lobby (XMPP_MODULES)' }
      : { ok: false, what: 'lobby_autostart is on, but persistent_lobby is not in XMPP_MODULES: the lobby it turns on is never created', fix: `run jitsi-saml2jwt setup <dir> --moderators <policy.yml> --lobby, ${recreate}` },
    muc.includes('token_lobby_bypass')
      ? { ok: true, what: 'every lobby is on, and moderators pass theirs (token_lobby_bypass)' }
      : { ok: false, what: 'every lobby is on (lobby_autostart), but token_lobby_bypass is not in XMPP_MUC_MODULES: moderators wait in their own lobby and nobody is let in', fix: `run jitsi-saml2jwt setup <dir> --moderators <policy.yml> --lobby, ${recreate}` },
  ];
}

/** Tokens that make names read-only need muc_displayname, which docker-jitsi-meet does not load. */
export function readonlyNameChecks(project: ComposeProject, policy: Policy | undefined): CheckResult[] {
  const sidecar = project.services.get('saml2jwt');
  const fromSidecar = jitsiFlag(sidecar?.env.get('READONLY_NAMES') ?? '') === true;
  if (!fromSidecar && !policy?.makesNamesReadonly) return [];
  const loaded = moduleList(project.services.get('prosody')?.env.get('XMPP_MUC_MODULES')).includes('muc_displayname');
  const why = fromSidecar ? 'READONLY_NAMES=true' : 'the policy sets name-readonly';
  return [
    loaded
      ? { ok: true, what: `display names come from the token (${why}, muc_displayname)` }
      : { ok: false, what: `${why}, but prosody does not load muc_displayname: users can still change their names`, fix: `run jitsi-saml2jwt setup <dir> --readonly-names (it adds muc_displayname to XMPP_MUC_MODULES), ${recreate}` },
  ];
}

/** A policy's visitors need ENABLE_VISITORS in prosody and jicofo. */
export function visitorChecks(project: ComposeProject, policy: Policy | undefined): CheckResult[] {
  if (!policy?.namesVisitors) return [];
  return ['prosody', 'jicofo'].map((service): CheckResult => {
    const value = project.services.get(service)?.env.get('ENABLE_VISITORS');
    return jitsiFlag(value ?? '') === true
      ? { ok: true, what: `the policy makes visitors, and ${service} has ENABLE_VISITORS=${value}` }
      : {
          ok: false,
          what: `the policy makes visitors (role: visitor), but ${service} runs without them (ENABLE_VISITORS=${value || 'unset'}): those users join as ordinary participants`,
          fix: 'run Jitsi\'s visitors (ENABLE_VISITORS=1, visitor prosody instances; jitsi-saml2jwt setup <dir> --visitors says what is missing), then recreate prosody and jicofo',
        };
  });
}

/**
 * muc_allowners (JWT_ACCEPTED_ALLOWNER_ISSUERS → allowner_issuers, docker-jitsi-meet
 * prosody/rootfs/defaults/conf.d/jitsi-meet.cfg.lua @2e6b31d8 lines 93-94) makes every user whose
 * token comes from a listed issuer an owner: the policy's roles would not count.
 */
export function allownerChecks(project: ComposeProject): CheckResult[] {
  const issuers = (project.services.get('prosody')?.env.get('JWT_ACCEPTED_ALLOWNER_ISSUERS') ?? '').split(',').map((i) => i.trim()).filter((i) => i !== '');
  if (issuers.length === 0) return [];
  const ours = project.services.get('saml2jwt')?.env.get('JWT_APP_ID') ?? project.services.get('prosody')?.env.get('JWT_APP_ID');
  const listed = issuers.includes('*') || (ours !== undefined && issuers.includes(ours));
  return [
    listed
      ? { ok: false, what: `JWT_ACCEPTED_ALLOWNER_ISSUERS lists our issuer (${issuers.includes('*') ? '*' : ours}): muc_allowners makes every user who signs in an owner, whatever the policy says`, fix: `remove ${ours ?? 'our issuer'} (and *) from JWT_ACCEPTED_ALLOWNER_ISSUERS in prosody's environment, ${recreate}` }
      : { ok: true, what: `JWT_ACCEPTED_ALLOWNER_ISSUERS does not list our issuer (${ours ?? 'JWT_APP_ID'})` },
  ];
}
