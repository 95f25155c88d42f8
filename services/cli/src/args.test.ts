import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseDuration, parsePercent } from './args.ts';
import { CliError, EXIT } from './errors.ts';

function command(argv: string[]) {
  const r = parseCommandLine(argv);
  if (r.kind !== 'command') throw new Error(`expected a command, got ${r.kind}`);
  return r.parsed;
}

function usage(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(EXIT.usage);
    return (e as CliError).message;
  }
  throw new Error('expected a usage error');
}

describe('parseCommandLine', () => {
  it('parses push with kubectl-style global flags anywhere', () => {
    const p = command([
      '-n',
      'tessera-acme',
      'push',
      './src',
      '--mini-program',
      'hello',
      '--version=1.2.0',
      '--no-wait',
      '-o',
      'json',
    ]);
    expect(p.command.name).toBe('push');
    expect(p.positionals).toEqual(['./src']);
    expect(p.options).toMatchObject({
      namespace: 'tessera-acme',
      'mini-program': 'hello',
      version: '1.2.0',
      wait: false,
    });
    expect(p.output).toBe('json');
  });

  it('defaults to table output and collects repeated --match', () => {
    const p = command([
      'rollout',
      'hello',
      '1.2.0',
      '--percent',
      '10',
      '--match',
      'region=In:cn',
      '--match',
      'beta=Is:true',
    ]);
    expect(p.output).toBe('table');
    expect(p.options.match).toEqual(['region=In:cn', 'beta=Is:true']);
  });

  it('returns help for no arguments, --help and help <command>', () => {
    expect(parseCommandLine([])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    const h = parseCommandLine(['help', 'push']);
    expect(h.kind === 'help' && h.command?.name).toBe('push');
    const h2 = parseCommandLine(['status', '--help']);
    expect(h2.kind === 'help' && h2.command?.name).toBe('status');
  });

  it('rejects unknown commands, unknown flags, wrong positionals and missing required flags', () => {
    expect(usage(['deploy'])).toContain('unknown command "deploy"');
    expect(usage(['status', 'hello', '--bogus'])).toContain("Unknown option '--bogus'");
    expect(usage(['promote', 'hello'])).toContain('promote takes <mini-program> <version>; got hello');
    expect(usage(['push', 'dir', '--version', '1.0.0'])).toContain('--mini-program is required');
    expect(usage(['status', 'hello', '-o', 'xml'])).toContain(
      '--output must be one of table, wide, json, yaml',
    );
  });
});

describe('parseDuration', () => {
  it('accepts Go-style durations and bare seconds', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('500ms')).toBe(500);
  });

  it('rejects anything else as a usage error', () => {
    expect(() => parseDuration('10 minutes')).toThrow('invalid duration');
    expect(() => parseDuration('')).toThrow('invalid duration');
  });
});

describe('parsePercent', () => {
  it('accepts 0-100 with fractions and an optional %', () => {
    expect(parsePercent('10')).toBe(10);
    expect(parsePercent('0.5')).toBe(0.5);
    expect(parsePercent('100%')).toBe(100);
  });

  it('rejects out-of-range values', () => {
    expect(() => parsePercent('101')).toThrow('--percent must be a number from 0 to 100');
    expect(() => parsePercent('-1')).toThrow(CliError);
    expect(() => parsePercent('ten')).toThrow(CliError);
  });
});
