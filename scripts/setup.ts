// `jitsi-saml2jwt setup <docker-jitsi-meet dir>`: wires SAML login into an existing checkout.
// Reads flags (and, on a terminal, asks for what is missing), plans every change in memory,
// then shows it (--dry-run) or applies it without losing data, and says what to do next.
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import { Writable } from 'node:stream';
import { createTwoFilesPatch } from 'diff';
import * as fs from 'node:fs';
import { EnvFile, MalformedEnvFile } from '../sidecar/src/config/env-file';
import { InvalidInput } from './input-checks';
import { NotAJitsiCheckout, readJitsiCheckout } from './jitsi-checkout';
import { packageRoot } from './package-root';
import { secretFilesCheck } from './doctor-files';
import { invokingUser } from './file-owner';
import { metadataTrustAdvice } from './metadata-trust';
import { backupsWithOldSecret } from './old-backups';
import { applyPlan } from './setup-apply';
import { reportUsageError, UsageError } from '../sidecar/src/command-line';
import { MissingInput, parseSetupArgs, resolveInputs, setupUsage, type Ask } from './setup-inputs';
import { oidcClaims, planSetup, type SetupPlan, type SetupSummary } from './setup-plan';
import { createSpKeyPair, type SpKeyPair } from './sp-keys';
import { createJwtKey, type NewJwtKey } from './jwt-keys';
import { describeAccess, secretOwnerFix } from './secret-files';

export interface SetupEnvironment {
  out?: (text: string) => void;
  err?: (text: string) => void;
  home?: string;
  packageRootDir?: string;
  interactive?: boolean; // default: stdin is a terminal
  ask?: Ask;
  /** Asks without echo (the OpenID Connect client secret); default on a terminal: readline, muted. */
  askSecret?: Ask;
  now?: Date;
  makeSpKeys?: (host: string, entityId: string) => SpKeyPair;
  makeJwtKey?: () => NewJwtKey;
  /** Where SUDO_UID / SUDO_GID / SUDO_USER are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export async function run(argv: string[], environment: SetupEnvironment = {}): Promise<number> {
  const out = environment.out ?? ((t: string) => void process.stdout.write(t));
  const err = environment.err ?? ((t: string) => void process.stderr.write(t));
  let rl: readline.Interface | undefined;
  try {
    const flags = parseSetupArgs(argv);
    if (flags.help) {
      out(setupUsage);
      return 0;
    }
    if (!flags.jitsiDir) throw new UsageError('give the docker-jitsi-meet folder: jitsi-saml2jwt setup <dir>');
    const checkout = readJitsiCheckout(flags.jitsiDir, environment.home ?? os.homedir());
    const rootDir = environment.packageRootDir ?? packageRoot();

    const interactive = !flags.nonInteractive && (environment.interactive ?? process.stdin.isTTY === true);
    let ask: Ask | undefined;
    let askSecret: Ask | undefined;
    if (interactive) {
      ask = environment.ask;
      askSecret = environment.askSecret ?? environment.ask;
      if (!ask || !askSecret) {
        // One readline on stdin; its echo is muted while the operator types a secret.
        let muted = false;
        const echo = new Writable({ write: (chunk, _enc, done) => (muted ? done() : process.stdout.write(chunk, done)) });
        const lines = readline.createInterface({ input: process.stdin, output: echo, terminal: process.stdin.isTTY === true });
        rl = lines;
        ask ??= (q) => lines.question(q);
        askSecret ??= async (q) => {
          process.stdout.write(q);
          muted = true;
          try {
            return await lines.question('');
          } finally {
            muted = false;
            process.stdout.write('\n');
          }
        };
      }
    }
    const inputs = await resolveInputs(flags, checkout.env, ask, askSecret);
    const plan = planSetup(checkout, inputs, {
      packageRootDir: rootDir,
      makeSpKeys: flags.dryRun ? null : (environment.makeSpKeys ?? createSpKeyPair),
      makeJwtKey: flags.dryRun ? null : (environment.makeJwtKey ?? (() => createJwtKey(environment.now))),
    });
    // Say it before anything else, whatever happens next: this setup lets a network attacker in.
    if (plan.summary.metadataTrust?.authenticated === false) err(`setup: warning: ${plan.summary.metadataTrust.summary}\n\n${metadataTrustAdvice}\n`);
    const label = (file: string): string => (file.startsWith(checkout.dir + path.sep) ? path.relative(checkout.dir, file) : file);

    const oldBackups = { remove: flags.removeOldBackups, ask: flags.yes ? undefined : ask, out, err, label };
    if (plan.files.length === 0 && plan.dirs.length === 0 && plan.dirAccess.length === 0) {
      out(`Nothing to change: ${checkout.dir} is already set up with these settings.\n`);
      const code = await dealWithOldBackups(checkout.envPath, checkout.env.expanded('JWT_APP_SECRET'), { ...oldBackups, dryRun: flags.dryRun, offer: false });
      noteReadableSecretFiles(checkout.dir, out);
      out('\n' + nextSteps(plan.summary));
      return code;
    }
    const envAfter = plan.files.find((f) => f.path === checkout.envPath)?.after ?? checkout.envText;
    const secretAfter = EnvFile.parse(envAfter).expanded('JWT_APP_SECRET');
    if (flags.dryRun) {
      out(`Dry run: these changes would be made (nothing is written).\n\n`);
      out(describeDiff(plan, label));
      for (const dir of plan.dirs) out(`would create folder ${dir}\n`);
      for (const d of plan.dirAccess) out(`would give folder ${d.path} ${describeAccess(d.access)}\n`);
      warnSecretOwner(plan, err);
      await dealWithOldBackups(checkout.envPath, secretAfter, { ...oldBackups, dryRun: true, offer: false });
      out('\n' + nextSteps(plan.summary));
      return 0;
    }
    if (ask && !flags.yes) {
      out(`setup will change:\n${plan.files.map((f) => `  ${f.before === null ? 'new     ' : 'changed '} ${label(f.path)}\n`).join('')}`);
      const answer = (await ask('Apply these changes? [y/N] ')).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        out('Nothing was changed.\n');
        return 1;
      }
    }

    const envOwner = fs.statSync(checkout.envPath);
    const result = applyPlan(plan, { now: environment.now, owner: invokingUser(environment.env, { uid: envOwner.uid, gid: envOwner.gid }) });
    out(`Done: ${checkout.dir} is set up for SAML login.\n`);
    if (plan.envKeysChanged.length > 0) out(`  .env: set ${plan.envKeysChanged.join(', ')}\n`);
    for (const file of result.written) if (file !== checkout.envPath) out(`  wrote ${label(file)}\n`);
    for (const backup of result.backups) out(`  backup ${label(backup)}\n`);
    if (result.privateFiles.length > 0) {
      const names = result.privateFiles.map(label).join(', ');
      out(`  mode 0600, owned by ${result.owner.name} (uid ${result.owner.uid}), because the .env holds secrets: ${names}\n`);
    }
    const secretsWritten = plan.files.filter((f) => f.access !== undefined).length > 0 || plan.dirAccess.length > 0;
    if (secretsWritten) {
      const s = plan.secretFiles;
      out(`  secret files ${s.names.join(', ')} in ${s.dir}: the .env's values, ${describeAccess(s.access)} (compose \`secrets:\`)\n`);
      warnSecretOwner(plan, err);
    }
    for (const line of plan.generated) out(`  ${line}\n`);
    const code = await dealWithOldBackups(checkout.envPath, secretAfter, { ...oldBackups, dryRun: false, offer: plan.secretRotated });
    noteReadableSecretFiles(checkout.dir, out);
    out('\n' + nextSteps(plan.summary));
    return code;
  } catch (e) {
    if (e instanceof UsageError) return reportUsageError('setup', e, setupUsage, err);
    if (e instanceof MissingInput) {
      err(`setup: missing input, nothing was written:\n${e.missing.map((m) => `  - ${m}\n`).join('')}`);
      return 2;
    }
    if (e instanceof InvalidInput) {
      err(`setup: ${e.message}. Nothing was written.\n`);
      return 2;
    }
    if (e instanceof MalformedEnvFile) {
      err(`setup: the .env cannot be read safely: ${e.message}. Fix that line; nothing was written.\n`);
      return 1;
    }
    if (e instanceof NotAJitsiCheckout) {
      err(`setup: ${e.message}\n`);
      return 1;
    }
    err(`setup failed, every file is as it was: ${(e as Error).message}\n`);
    return 1;
  } finally {
    rl?.close();
  }
}

// Not root: the secret files are the operator's own, and the containers cannot read them yet.
function warnSecretOwner(plan: SetupPlan, err: (text: string) => void): void {
  const s = plan.secretFiles;
  if (s.containerOwned) return;
  err(
    `setup: warning: running as uid ${s.access.uid}, setup cannot give the secret files in ${s.dir} to uid 1000 (the sidecar's user) and group 0 (the SP reads them as root); ` +
      `the containers will not start until you run:\n  ${secretOwnerFix(s.dir)}\n(or run setup itself with sudo)\n`,
  );
}

// Files setup did not write in this run (a .env it left alone, backups an older version made)
// can still be readable by others: say so, with doctor's words and fix. Nothing is changed.
function noteReadableSecretFiles(dir: string, out: (text: string) => void): void {
  for (const r of secretFilesCheck(dir)) if (!r.ok) out(`  Note: ${r.what}\n    fix: ${r.fix}\n`);
}

interface OldBackupChoice {
  remove: boolean; // --remove-old-backups
  offer: boolean; // a secret was rotated in this run: ask on a terminal
  ask?: Ask; // only on a terminal, without --yes
  dryRun: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
  label: (file: string) => string;
}

// .env backups that hold an old JWT_APP_SECRET: removed with --remove-old-backups, or when the
// operator says yes on a terminal right after a rotation; otherwise named. Runs after the
// changes are in place, so a failure here says so instead of claiming nothing changed.
async function dealWithOldBackups(envPath: string, currentSecret: string | undefined, choice: OldBackupChoice): Promise<number> {
  const old = backupsWithOldSecret(envPath, currentSecret);
  if (old.length === 0) return 0;
  const list = old.map((f) => `    ${choice.label(f)}\n`).join('');
  const what = `${old.length} .env backup${old.length === 1 ? '' : 's'} ${old.length === 1 ? 'holds' : 'hold'} an old JWT_APP_SECRET`;
  let remove = choice.remove;
  if (!remove && choice.offer && choice.ask && !choice.dryRun) {
    choice.out(`${what}:\n${list}`);
    const answer = (await choice.ask('Remove them? [y/N] ')).trim().toLowerCase();
    remove = answer === 'y' || answer === 'yes';
  }
  if (!remove) {
    choice.out(`  Note: ${what}; remove ${old.length === 1 ? 'it' : 'them'} with --remove-old-backups:\n${list}`);
    return 0;
  }
  if (choice.dryRun) {
    choice.out(`would remove ${what}:\n${list}`);
    return 0;
  }
  const removed: string[] = [];
  for (const file of old) {
    try {
      fs.rmSync(file);
      removed.push(file);
    } catch (e) {
      choice.err(`setup: the changes are in place, but ${choice.label(file)} (it holds an old JWT_APP_SECRET) could not be removed: ${(e as Error).message}\n`);
      return 1;
    }
  }
  choice.out(`  removed ${removed.length} .env backup${removed.length === 1 ? '' : 's'} that held an old JWT_APP_SECRET:\n${removed.map((f) => `    ${choice.label(f)}\n`).join('')}`);
  return 0;
}

function describeDiff(plan: SetupPlan, label: (file: string) => string): string {
  return plan.files
    .map((f) => {
      const name = label(f.path);
      if (f.access) {
        const what = f.before === null ? 'new secret file' : f.before === f.after ? 'secret file (same value)' : 'secret file, new value';
        return `${what} ${name} (${describeAccess(f.access)}; content not shown)\n`;
      }
      if (f.secret) return `new file ${name} (${f.before === null ? 'generated, content not shown' : 'not shown'})\n`;
      return createTwoFilesPatch(f.before === null ? '/dev/null' : name, name, hideSecrets(f.before ?? ''), hideSecrets(f.after), undefined, undefined);
    })
    .join('\n');
}

// Secrets never reach the terminal: a secret-looking KEY=value shows a short hash instead,
// which is enough to see that it changes.
function hideSecrets(text: string): string {
  // Commented-out lines too: an rs256 run keeps JWT_APP_SECRET as `#JWT_APP_SECRET=...`.
  return text.replace(/^([ \t]*#?[ \t]*(?:export[ \t]+)?[A-Za-z0-9_]*(?:SECRET|PASSWORD|_KEY)[ \t]*=)(.+?)(\r?)$/gm, (_m, head: string, value: string, cr: string) =>
    `${head}<hidden ${createHash('sha256').update(value).digest('hex').slice(0, 8)}>${cr}`,
  );
}

function nextSteps(summary: SetupSummary): string {
  const lines = [
    'Next:',
    `  1. Start (or restart) Jitsi with the SAML services:`,
    `       ${summary.nextCommand}`,
    ...(summary.metadataTrust
      ? [
          `  2. Register this SP at your IdP or federation: metadata ${summary.spMetadataUrl}`,
          `       (entityID ${summary.spEntityId})`,
          `  3. The IdP must release: ${summary.attributes.join(', ')}`,
        ]
      : [
          // OpenID Connect alone: no SAML metadata to register.
          '  2. Register the redirect URI (see the note below) as this client\'s at your OpenID provider',
          `  3. The provider must send: ${oidcClaims.join(', ')}`,
        ]),
    `  4. Check the running deployment: jitsi-saml2jwt doctor`,
    ...(summary.metadataTrust ? [`  ${summary.metadataTrust.authenticated ? '' : 'WARNING: '}${summary.metadataTrust.summary}`] : []),
    `  Login URL (TOKEN_AUTH_URL): ${summary.tokenAuthUrl}`,
    `  Logout URL (tokenLogoutUrl): ${summary.tokenLogoutUrl}`,
    '  Jitsi clients:',
    ...summary.clients.map((c) => `    - ${c}`),
    ...summary.notes.map((n) => `  Note: ${n}`),
  ];
  return lines.join('\n') + '\n';
}
