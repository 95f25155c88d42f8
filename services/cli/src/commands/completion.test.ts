import { describe, expect, it } from 'vitest';
import { complete, completionScript, DIRECTIVE, type Lookup } from './completion.ts';

const lookup: Lookup = {
  miniPrograms: async () => ['transfer', 'branches'],
  versionNames: async () => ['transfer-1.0.0'],
  versionsOf: async (mp) => (mp === 'transfer' ? ['1.1.0', '1.0.0'] : []),
  namespaces: async () => ['tessera-bank', 'default'],
  contexts: async () => ['prod'],
};

describe('complete', () => {
  it('completes command names, then positionals by what the command takes', async () => {
    expect(await complete(['ro'], lookup)).toEqual({
      candidates: ['rollback', 'rollout', 'rotate-credentials'],
      directive: DIRECTIVE.noFiles,
    });
    expect((await complete(['status', ''], lookup)).candidates).toEqual(['branches', 'transfer']);
    expect((await complete(['promote', 'transfer', ''], lookup)).candidates).toEqual(['1.0.0', '1.1.0']);
    expect((await complete(['logs', 'tr'], lookup)).candidates).toEqual(['transfer-1.0.0']);
    expect((await complete(['completion', ''], lookup)).candidates).toEqual(['bash', 'fish', 'zsh']);
    expect(await complete(['push', ''], lookup)).toEqual({ candidates: [], directive: DIRECTIVE.dirsOnly });
    expect((await complete(['status', 'transfer', ''], lookup)).candidates).toEqual([]);
  });

  it('completes flags and flag values, skipping values when counting positionals', async () => {
    expect((await complete(['status', '--w'], lookup)).candidates).toEqual(['--watch']);
    expect((await complete(['-n', 'tessera-bank', 'status', ''], lookup)).candidates).toEqual([
      'branches',
      'transfer',
    ]);
    expect((await complete(['status', '-n', ''], lookup)).candidates).toEqual(['default', 'tessera-bank']);
    expect((await complete(['--context', 'p'], lookup)).candidates).toEqual(['prod']);
    expect((await complete(['status', '-o', ''], lookup)).candidates).toEqual([
      'json',
      'table',
      'wide',
      'yaml',
    ]);
    expect((await complete(['--kubeconfig', ''], lookup)).directive).toBe(DIRECTIVE.default);
  });

  it('has a script per supported shell', () => {
    expect(completionScript('bash')).toContain('complete -F _kubectl_tessera kubectl-tessera tessera');
    expect(completionScript('zsh')).toContain('compdef _kubectl_tessera kubectl-tessera tessera');
    expect(completionScript('fish')).toContain('complete -c kubectl-tessera');
    expect(() => completionScript('tcsh')).toThrow(/supports bash, zsh, fish/);
  });
});
