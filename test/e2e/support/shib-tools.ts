// Shibboleth's own command-line checks on a rendered SP: `shibd -t` (the configuration loads, with
// every metadata source it loads at start) and `mdquery` (one entity resolved in-process, without
// Apache: how an on-demand source such as MDQ is asked).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SpLayout } from './sp';

const run = promisify(execFile);

export interface ToolResult {
  code: number;
  output: string;
}

/** Runs a command; its exit status and stdout + stderr, never a throw for a non-zero status. */
export async function tool(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await run(command, args, { env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

/** shibd's own configuration test; problems are its ERROR / CRIT / FATAL log lines. */
export async function shibdTest(layout: SpLayout): Promise<ToolResult & { problems: string[] }> {
  const result = await tool('/usr/sbin/shibd', ['-t', '-c', join(layout.shibConfigDir, 'shibboleth2.xml')]);
  const problems = result.output.split('\n').filter((l) => /\b(ERROR|CRIT|FATAL)\b/.test(l));
  return { ...result, problems };
}

export interface MdqueryResult extends ToolResult {
  /** The IdP role was found: its IDPSSODescriptor printed. */
  resolved: boolean;
}

/** `mdquery -e <entityID> -saml2 -idp` against the rendered configuration (it exits 0 either way). */
export async function mdquery(layout: SpLayout, entityId: string): Promise<MdqueryResult> {
  const result = await tool('/usr/bin/mdquery', ['-e', entityId, '-saml2', '-idp'], {
    ...process.env,
    SHIBSP_CONFIG: join(layout.shibConfigDir, 'shibboleth2.xml'),
  });
  return { ...result, resolved: /<md:IDPSSODescriptor\b/.test(result.output) };
}
