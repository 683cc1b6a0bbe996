// The look of our pages, from the configuration: the operator's branding and the home page.
import type { Config } from '../config/config';
import type { PageLook } from '../pages/look';

export function pageLookOf(cfg: Config): PageLook {
  return { ...cfg.branding, homeUrl: cfg.publicUrl.href };
}
