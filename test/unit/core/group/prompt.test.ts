import { describe, expect, it } from 'vitest';
import { speakerCharacter, speakerTurns, type GroupLine } from '../../../../src/core/group/prompt';
import { testCharacter } from '../../helpers/prompt-inputs';

const names = { person: 'Kyon', speaker: 'Alice', fallback: 'Group' };

describe('speakerTurns', () => {
  const lines: GroupLine[] = [
    { role: 'assistant', content: 'Welcome!', speakerId: 'a', speakerName: 'Alice' },
    { role: 'user', content: 'Hi all.' },
    { role: 'assistant', content: 'Yo.', speakerId: 'b', speakerName: 'Bob' },
    { role: 'assistant', content: '', speakerId: 'b', speakerName: 'Bob' },
    { role: 'assistant', content: 'Old line.', speakerId: 'deleted', speakerName: 'Mikuru' },
  ];

  it("puts a name on every line: the speaker's own as assistant turns, everyone else's as the user's", () => {
    expect(speakerTurns(lines, 'a', names, 'en')).toEqual([
      { role: 'assistant', content: 'Alice: Welcome!' },
      { role: 'user', content: 'Kyon: Hi all.' },
      { role: 'user', content: 'Bob: Yo.' },
      { role: 'user', content: 'Mikuru: Old line.' },
    ]);
  });

  it('asks the speaker to go on when the last line is their own', () => {
    const turns = speakerTurns(lines.slice(0, 1), 'a', names, 'en');
    expect(turns.at(-1)).toEqual({ role: 'user', content: "[Alice's turn to speak.]" });
    expect(speakerTurns(lines.slice(0, 1), 'a', names, 'zh').at(-1)?.content).toBe('[轮到Alice说话。]');
  });

  it("from another member's side, the same history only grows at its end between their replies", () => {
    const before = speakerTurns(lines.slice(0, 2), 'b', { ...names, speaker: 'Bob' }, 'en');
    const after = speakerTurns([...lines.slice(0, 3), { role: 'user', content: 'And?' }, { role: 'assistant', content: 'Hm.', speakerId: 'a', speakerName: 'Alice' }], 'b', { ...names, speaker: 'Bob' }, 'en');
    expect(after.slice(0, before.length)).toEqual(before);
  });
});

describe('speakerCharacter', () => {
  it('adds the others in the scene, briefly, after the scenario (the group scenario first when there is one)', () => {
    const alice = testCharacter({ name: 'Alice', scenario: 'A tea room.' });
    const others = [{ name: 'Bob', shortDescription: 'A knight.' }, { name: 'Carol', description: 'x'.repeat(400) }];
    const own = speakerCharacter(alice, others, 'Kyon');
    expect(own.scenario).toBe(`A tea room.\n\nOthers in this scene:\n- Bob: A knight.\n- Carol: ${'x'.repeat(159)}…\n- Kyon (the person you are talking with)`);
    expect(speakerCharacter(alice, others, 'Kyon', 'A storm at sea.').scenario.startsWith('A storm at sea.\n\nOthers')).toBe(true);
    expect(own.name).toBe('Alice');
  });
});
