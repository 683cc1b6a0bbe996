// `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR` and `$$` in a .env value, substituted the
// way docker compose does. One implementation for the sidecar's .env reader and setup's editor,
// so both read docker-jitsi-meet's .env as compose does.
const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export type Lookup = (name: string) => string | undefined;

export function substituteReferences(value: string, lookup: Lookup): string {
  return value.replace(
    REFERENCE,
    (whole: string, braced: string | undefined, op: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      if (whole === '$$') return '$';
      const found = lookup((braced ?? bare) as string);
      // `:-` falls back when unset or empty, `-` only when unset.
      const useFallback = op === ':-' ? !found : op === '-' ? found === undefined : false;
      return useFallback ? substituteReferences(fallback ?? '', lookup) : (found ?? '');
    },
  );
}
