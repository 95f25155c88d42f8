/**
 * README.zh-CN.md is the Chinese README for the users the product is first written for. It says
 * what README.md says: the same sections in the same order, the same code blocks byte for byte,
 * and every command README.md names inline. A change to one without the other fails here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/harness/paths.ts';

interface Outline {
  headings: string[];
  blocks: string[];
  commands: Set<string>;
  links: Set<string>;
}

const COMMAND = /^(make|kubectl|helm|npm|npx|node|eval|export|git)\b/;

function outline(markdown: string): Outline {
  const blocks: string[] = [];
  const prose = markdown.replace(/```[a-z]*\n[\s\S]*?```/g, (block) => {
    blocks.push(block);
    return '';
  });
  return {
    // heading levels only: the titles are translated
    headings: [...prose.matchAll(/^(#{1,6}) /gm)].map((m) => m[1] as string),
    blocks,
    commands: new Set(
      [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string).filter((c) => COMMAND.test(c)),
    ),
    links: new Set([...prose.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((m) => m[1] as string)),
  };
}

describe('README.zh-CN.md', () => {
  it('has the sections, code blocks, commands and links of README.md', async () => {
    const read = async (f: string) => outline(await readFile(join(REPO_ROOT, f), 'utf8'));
    const [en, zh] = [await read('README.md'), await read('README.zh-CN.md')];
    expect(zh.headings, 'section structure').toEqual(en.headings);
    expect(zh.blocks.length, 'number of code blocks').toBe(en.blocks.length);
    for (const [i, block] of en.blocks.entries()) expect(zh.blocks[i], `code block ${i + 1}`).toBe(block);
    expect(
      [...en.commands].filter((c) => !zh.commands.has(c)),
      'commands missing in Chinese',
    ).toEqual([]);
    expect(
      [...zh.commands].filter((c) => !en.commands.has(c)),
      'commands only in Chinese',
    ).toEqual([]);
    const missing = [...en.links].filter((l) => l !== 'README.zh-CN.md' && !zh.links.has(l));
    expect(missing, 'links missing in Chinese').toEqual([]);
  });
});
