// The schemes and package of the Jitsi apps we hand tokens to (JITSI.md "Apps and links back").
// Rebranded apps (the Jitsi SDK) register their own; the variables are named after jitsi-meet's
// config.deeplinking keys so an operator sets the same values in both places.

export interface AppLinkConfig {
  /** APP_SCHEME_IOS = config.deeplinking.ios.appScheme */
  iosScheme: string;
  /** APP_ANDROID_SCHEME = config.deeplinking.android.appScheme */
  androidScheme: string;
  /** APP_ANDROID_PACKAGE = config.deeplinking.android.appPackage */
  androidPackage: string;
  /** APP_SCHEME_ELECTRON = config.deeplinking.desktop.appScheme */
  electronScheme: string;
}

export const DEFAULT_APP_LINKS: AppLinkConfig = {
  iosScheme: 'org.jitsi.meet',
  androidScheme: 'org.jitsi.meet',
  androidPackage: 'org.jitsi.meet',
  electronScheme: 'jitsi-meet',
};

/** RFC 3986's scheme syntax, lower case (the form the apps register). */
const SCHEME = /^[a-z][a-z0-9+.-]*$/;
/** Schemes a browser handles itself: a token sent there would not reach an app. */
const BROWSER_SCHEMES = ['http', 'https', 'javascript', 'data', 'blob', 'file', 'about', 'vbscript', 'ws', 'wss', 'ftp', 'intent'];
/** A Java package name; Android wants at least two parts (applicationId). */
const JAVA_PACKAGE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const MAX_LENGTH = 100;

/** Why `value` cannot be an app's URL scheme, or undefined when it can. */
export function appSchemeProblem(value: string): string | undefined {
  if (value.length > MAX_LENGTH || !SCHEME.test(value)) {
    return `must be a URL scheme (a lower-case letter, then letters, digits, "+", "." or "-"), got "${value.slice(0, MAX_LENGTH)}"`;
  }
  if (BROWSER_SCHEMES.includes(value)) return `"${value}" is handled by the browser, not by an app`;
  return undefined;
}

/** Why `value` cannot be an Android package name, or undefined when it can. */
export function androidPackageProblem(value: string): string | undefined {
  if (value.length > MAX_LENGTH || !JAVA_PACKAGE.test(value)) {
    return `must be a Java package name such as org.jitsi.meet (at least two dot-separated parts of letters, digits and "_"), got "${value.slice(0, MAX_LENGTH)}"`;
  }
  return undefined;
}
