// axe-core run on a page as its users get it: the page keeps its own Content-Security-Policy
// (which allows no script of ours), and axe runs beside it in an isolated world made through the
// DevTools protocol (Page.createIsolatedWorld, as a browser extension's content script does). An
// isolated world shares the page's DOM and computed styles but not its JavaScript globals, and the
// page's CSP does not govern it, so axe sees exactly the rendered page without the page being
// changed or its CSP loosened (page.addScriptTag would be refused by that CSP; bypassCSP would
// test another page than the one users get).
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** WCAG 2.1 A and AA, plus axe's best practices (one main landmark, one h1, ...). */
const RUN_OPTIONS = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] };

export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
    const { executionContextId } = await cdp.send('Page.createIsolatedWorld', { frameId: frameTree.frame.id, worldName: 'axe-check' });
    const result = await cdp.send('Runtime.evaluate', {
      expression: `${AXE_SOURCE}\n;axe.run(document, ${JSON.stringify(RUN_OPTIONS)}).then((r) => JSON.stringify(r.violations))`,
      contextId: executionContextId,
      awaitPromise: true,
      returnByValue: true,
    });
    if (result.exceptionDetails) throw new Error(`axe failed: ${JSON.stringify(result.exceptionDetails)}`);
    return JSON.parse(result.result.value as string) as AxeViolation[];
  } finally {
    await cdp.detach();
  }
}

/** One line per violation and node, for an assertion message a person can act on. */
export function describeViolations(violations: AxeViolation[]): string[] {
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact ?? '-'}): ${v.help} at ${n.target.join(' ')}`));
}
