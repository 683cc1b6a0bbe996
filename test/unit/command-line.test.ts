// One argument parser (node:util parseArgs) for every command: one error type, one exit code.
import { expect } from 'chai';
import { parseCommandLine, reportUsageError, UsageError, USAGE_EXIT_CODE } from '../../sidecar/src/command-line';

const spec = {
  options: { 'env-file': { type: 'string' }, show: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  maxPositionals: 1,
} as const;

function usageErrorOf(argv: string[]): string {
  try {
    parseCommandLine(argv, spec);
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    return (err as UsageError).message;
  }
  return expect.fail(`accepted ${JSON.stringify(argv)}`);
}

describe('command-line: parseCommandLine', () => {
  it('reads options in both spellings, short flags and positionals', () => {
    expect(parseCommandLine(['--env-file', 'a', 'dir'], spec)).to.deep.include({ positionals: ['dir'] });
    expect(parseCommandLine(['--env-file=a'], spec).values).to.deep.include({ 'env-file': 'a' });
    expect(parseCommandLine(['-h'], spec).values).to.deep.include({ help: true });
  });

  it('turns every mistake into a UsageError with a short message', () => {
    expect(usageErrorOf(['--nope'])).to.equal('unknown option "--nope"');
    expect(usageErrorOf(['-x'])).to.equal('unknown option "-x"');
    expect(usageErrorOf(['--env-file'])).to.equal('--env-file needs a value');
    expect(usageErrorOf(['--env-file', '--show'])).to.equal('--env-file needs a value');
    expect(usageErrorOf(['--show=yes'])).to.equal('--show takes no value');
    expect(usageErrorOf(['one', 'two'])).to.equal('unexpected argument "two"');
  });

  it('reports a usage error the same way everywhere: message, usage, exit 2', () => {
    let written = '';
    const code = reportUsageError('keys', new UsageError('unknown option "--x"'), 'usage: keys\n', (t) => (written += t));
    expect(code).to.equal(USAGE_EXIT_CODE).and.to.equal(2);
    expect(written).to.equal('keys: unknown option "--x"\n\nusage: keys\n');
  });
});
