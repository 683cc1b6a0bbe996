// Figures the reliability tests measured, collected in one JSON file for report.ts.
// RELIABILITY_RESULTS names the file; by default it lives in the system's temporary folder.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function resultsFile(): string {
  return process.env.RELIABILITY_RESULTS || join(tmpdir(), 'saml2jwt-reliability', 'results.json');
}

export function readResults(file = resultsFile()): Record<string, unknown> {
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** Sets one section (fuzz, faults, sigterm, soak, ...); written whole, then renamed into place. */
export function recordResult(section: string, value: unknown): void {
  const file = resultsFile();
  mkdirSync(dirname(file), { recursive: true });
  const all = readResults(file);
  all[section] = { ...(value as object), recordedAt: new Date().toISOString() };
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(temp, file);
}
