// The one typed, validated configuration. Built once at start by loadConfig() (config/load.ts)
// and passed down; nothing else reads process.env. Plain data: the policy is named by its file
// and loaded by `serve` (serve.ts), so config never depends on the layers that read it.
import type { AttributeName } from '../identity/attributes';
import type { Branding } from '../pages/look';
import type { AppLinkConfig } from './app-links';

export type TokenMode = 'default' | 'advanced';
export type AvatarMode = 'none' | 'gravatar';

export interface IdentityConfig {
  /** Request header carrying each attribute (lower-case, as Node presents headers). */
  headers: Record<AttributeName, string>;
  /** First present attribute becomes context.user.id (USER_ID_ATTRIBUTES). */
  userIdOrder: AttributeName[];
  /** First present scoped attribute owns private rooms in advanced mode (PRIVATE_ROOM_OWNER_ATTRIBUTES). */
  ownerIdOrder: AttributeName[];
  /** Header that proves the request came from our SP (always x-saml2jwt-proxy-secret). */
  proxySecretHeader: string;
  /** SIDECAR_PROXY_SECRET, >= 32 chars. */
  proxySecret: string;
  /** The only IdP whose users get tokens (Shib-Identity-Provider): SSO_URL when SHIBBOLETH_TEMPLATE_XML is direct. */
  expectedIdp?: string;
  /** The only OpenID Connect issuer whose users get tokens (the ID token's iss): OIDC_ISSUER. */
  expectedIssuer?: string;
}

export interface ValidityConfig {
  /** DEFAULT_VALIDITY seconds (default 3600); 0 only when allowUnlimited. */
  defaultSeconds: number;
  /** MAX_VALIDITY seconds (default 86400): cap on any exp. */
  maxSeconds: number;
  /** ALLOW_UNLIMITED_TOKENS (default false). */
  allowUnlimited: boolean;
  /** ENABLE_VALIDITY_BY_REQUEST (default false): honour validity_timestamp. */
  byRequest: boolean;
  /** nbf = now - this (30 s: Prosody has no clock-skew leeway). */
  notBeforeSkewSeconds: number;
}

/** JWT_SIGNING: HS256 with the shared JWT_APP_SECRET, or RS256 with private keys only we hold. */
export type SigningMode = 'HS256' | 'RS256';

export interface KeysConfig {
  /** JWT_KEYS_DIR: one PEM private key per file (token/keys/key-directory.ts). */
  dir: string;
  /** JWT_KEY_ACTIVATION_DELAY seconds (default 300): a new key signs only after being published this long. */
  activationDelaySeconds: number;
}

export interface JicofoConfig {
  /** JICOFO_ROOM_ENDPOINTS: host[:port] becomes http://host[:port]/debug; full URLs are used as given. */
  endpoints: URL[];
  callTimeoutMs: number; // 1000
  totalTimeoutMs: number; // 2000
  /** How long an answer is reused for the same room (3000; 0: never). */
  answerTtlMs: number;
  /** Distinct rooms asked about at once; past it, refused as unavailable (16). */
  maxQuestions: number;
}

export interface Config {
  /** PUBLIC_URL (wins) or https://JITSI_DOMAIN. No trailing slash in pathname handling: see meetingUrl(). */
  publicUrl: URL;
  /** XMPP_DOMAIN (default meet.jitsi): `sub` of tokens without a tenant. */
  xmppDomain: string;
  jwt: {
    appId: string; // JWT_APP_ID -> iss
    audience: string; // JWT_AUDIENCE, default JWT_APP_ID
    signing: SigningMode; // JWT_SIGNING (HS256)
    /** JWT_APP_SECRET, >= 32 chars, not a placeholder: HS256 only (RS256 refuses it). */
    appSecret?: string;
    /** RS256 only. */
    keys?: KeysConfig;
  };
  tokenMode: TokenMode; // JWT_TOKEN_MODE
  validity: ValidityConfig;
  avatar: AvatarMode; // AVATAR
  /** READONLY_NAMES: every token gets the name-readonly feature unless a policy rule says false. */
  readonlyNames: boolean;
  /** AUTH_ERROR_PAGE: path relative to the public URL, or absolute URL on the same origin. */
  authErrorPage?: string;
  /** SERVER_NAME (host mode SP name; informational for the sidecar). */
  serverName?: string;
  front: {
    host: string; // SIDECAR_HOST (127.0.0.1)
    port: number; // SIDECAR_PORT (8080)
    rateLimitPerMinute: number; // FRONT_RATE_LIMIT (per user id; 0 turns it off)
  };
  backend: {
    host: string; // BACKEND_HOST (127.0.0.1)
    port: number; // BACKEND_PORT (8081)
    /** ENABLE_BACKEND_JWT_REQUEST: mint/validate API on; health + metrics are always there. */
    mintApiEnabled: boolean;
    apiKey?: string; // BACKEND_API_KEY, required (>= 32) when mintApiEnabled
    rateLimitPerMinute: number; // BACKEND_RATE_LIMIT (per client address and per key)
  };
  identity: IdentityConfig;
  policyFile?: string; // POLICY_FILE; loaded into a Policy by serve, not here
  jicofo: JicofoConfig;
  /** APP_SCHEME_IOS, APP_ANDROID_SCHEME, APP_ANDROID_PACKAGE, APP_SCHEME_ELECTRON: where app users get their token. */
  apps: AppLinkConfig;
  /** BRAND_NAME, BRAND_LOGO_URL, BRAND_COLOR, SUPPORT_URL, SUPPORT_EMAIL: the pages a person sees (config/branding.ts). */
  branding: Branding;
  logLevel: string; // LOG_LEVEL (info)
}
