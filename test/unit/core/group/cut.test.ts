import { describe, expect, it } from 'vitest';
import { cutAtOtherSpeaker } from '../../../../src/core/group/cut';

describe('cutAtOtherSpeaker', () => {
  it("ends the reply where the model starts writing another member's or the person's line", () => {
    expect(cutAtOtherSpeaker('Sure, let us go.\nBob: Wait for me!\nAlice: No.', 'Alice', ['Bob', 'Kyon'])).toEqual({ text: 'Sure, let us go.', cut: true });
    expect(cutAtOtherSpeaker('Fine.\n\nKyon: Thanks.', 'Alice', ['Bob', 'Kyon'])).toEqual({ text: 'Fine.', cut: true });
    expect(cutAtOtherSpeaker('好的。\n春日：走吧！', '阿虚', ['春日'])).toEqual({ text: '好的。', cut: true });
  });

  it('cuts at the earliest of several names and colon forms', () => {
    expect(cutAtOtherSpeaker('One.\nKyon：two\nBob: three', 'Alice', ['Bob', 'Kyon']).text).toBe('One.');
  });

  it("takes off the speaker's own leading name and keeps a name said mid-line", () => {
    expect(cutAtOtherSpeaker('Alice: I told Bob: no.', 'Alice', ['Bob'])).toEqual({ text: 'I told Bob: no.', cut: false });
    expect(cutAtOtherSpeaker('  Alice：我来了', 'Alice', ['Bob']).text).toBe('我来了');
  });

  it('cuts a reply that is nothing but another line to empty', () => {
    expect(cutAtOtherSpeaker('Bob: hi', 'Alice', ['Bob'])).toEqual({ text: '', cut: true });
  });

  it('does not cut a partial line that has not become a name yet', () => {
    expect(cutAtOtherSpeaker('Hi.\nBo', 'Alice', ['Bob'])).toEqual({ text: 'Hi.\nBo', cut: false });
  });
});
