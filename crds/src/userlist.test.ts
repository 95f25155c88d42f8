import { describe, expect, it } from 'vitest';
import { MAX_USER_LIST_IDS, parseUserList, readPublishedUserList, userListDigest } from './userlist.ts';

describe('parseUserList', () => {
  it('normalises: trims, drops blanks, comments and duplicates, sorts', () => {
    const r = parseUserList('# vip\n  bob \n\nalice\nbob\r\n');
    expect(r).toEqual({ ok: true, ids: ['alice', 'bob'], text: 'alice\nbob' });
  });

  it('names the line of an invalid id', () => {
    expect(parseUserList('alice\nnot valid\n')).toMatchObject({ ok: false, reason: 'UserListInvalid' });
    expect(parseUserList('alice\nnot valid\n')).toMatchObject({ message: expect.stringContaining('line 2') });
    expect(parseUserList(`${'x'.repeat(129)}\n`)).toMatchObject({ ok: false, reason: 'UserListInvalid' });
  });

  it('refuses more ids than the limit', () => {
    const text = Array.from({ length: MAX_USER_LIST_IDS + 1 }, (_, i) => `u${i}`).join('\n');
    expect(parseUserList(text)).toMatchObject({ ok: false, reason: 'UserListTooLarge' });
  });
});

describe('readPublishedUserList', () => {
  it('returns the ids when the digest matches and refuses other bytes', async () => {
    const digest = await userListDigest('alice\nbob');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await readPublishedUserList('alice\nbob', digest)).toEqual(['alice', 'bob']);
    await expect(readPublishedUserList('alice\nbob\neve', digest)).rejects.toThrow(/does not match/);
    await expect(readPublishedUserList(undefined, digest)).rejects.toThrow(/users.txt/);
    expect(await readPublishedUserList('', await userListDigest(''))).toEqual([]);
  });
});
