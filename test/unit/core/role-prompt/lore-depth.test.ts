// Lorebook entries "at depth" (SillyTavern's position 4): among the history turns, `depth` messages
// above the new one, placed when the prompt is built afresh and left where they are on appends.

import { describe, expect, it } from 'vitest';
import { buildRolePrompt, type RolePrompt, type RolePromptInput, type RoleCacheRule } from '../../../../src/core/role-prompt';
import { estimatePromptTokens } from '../../../../src/core/tokens';
import type { ChatTurn, Lorebook, LorebookEntry } from '../../../../src/core/types';
import { assistant, testCharacter, user } from '../../helpers/prompt-inputs';

function entry(over: Partial<LorebookEntry> & { ext?: Record<string, unknown> }): LorebookEntry {
  const { ext, ...rest } = over;
  return { id: 1, keys: ['tea'], secondaryKeys: [], content: 'Mikuru brews the tea.', enabled: true, insertionOrder: 100, useRegex: false, extensions: { ...ext }, ...rest };
}
const book = (entries: LorebookEntry[]): Lorebook => ({ extensions: {}, entries });

function chat(pairs: number, last: string): ChatTurn[] {
  const history: ChatTurn[] = [assistant('Hi!')];
  for (let i = 0; i < pairs; i++) history.push(user(`Question ${i}.`), assistant(`Answer ${i}.`));
  history.push(user(last));
  return history;
}

function input(cache: RoleCacheRule, lorebook: Lorebook, history = chat(4, 'Some tea?')): RolePromptInput {
  return { character: testCharacter(), persona: { name: 'Kyon', description: 'A tired student.' }, history, contextWindow: 2048, replyTokens: 256, cache, lorebook };
}

/** Where the note is: the index of the message that holds it, and the history text just after it. */
function notePlace(prompt: RolePrompt, text: string): { at: number; after: string } {
  const contents = prompt.messages.map((m) => m.content);
  const at = contents.findIndex((c) => c.includes(`[World info: ${text}]`));
  const message = contents[at] ?? '';
  return { at, after: message.slice(message.indexOf(text)) + '|' + contents.slice(at + 1).join('|') };
}

describe('lorebook entries at depth', () => {
  for (const cache of ['token-prefix', 'exact-messages'] as const) {
    it(`a triggered @depth entry goes its depth above the new message and stays put on an append (${cache})`, () => {
      const deep = entry({ ext: { position: 4, depth: 2, role: 0 }, name: 'Tea' });
      const first = input(cache, book([deep]));
      const p1 = buildRolePrompt(first);
      const { at, after } = notePlace(p1, 'Mikuru brews the tea.');
      expect(at).toBeGreaterThan(0);
      // Two messages above the new one (as the author's note counts): before "Question 3." and "Answer 3.".
      expect(after).toContain('Question 3.');
      expect(after).toContain('Answer 3.');
      expect(after).not.toContain('Answer 2.');
      expect(p1.messages.slice(0, at + 1).map((m) => m.content).join('|')).toContain('Answer 2.');
      // Not in the context block, and the inspector says where it went.
      expect(p1.messages[p1.inspector.layout.contextIndex].content).not.toContain('Mikuru brews the tea.');
      expect(p1.inspector.lorebook.chosen).toEqual([expect.objectContaining({ id: 1, name: 'Tea', placement: 'depth', depth: 2 })]);
      expect(estimatePromptTokens(p1.messages)).toBeLessThanOrEqual(2048 - 256);
      expect(p1.sections.find((x) => x.name === 'lorebook-depth')?.tokens).toBeGreaterThan(0);

      const second = { ...first, history: [...first.history, assistant('Here.'), user('More tea, please.')], previous: p1 };
      const p2 = buildRolePrompt(second);
      expect(p2.inspector.refresh).toBe('appended');
      // The earlier messages are sent unchanged (the engine's cache is kept) and the entry is not added again.
      expect(p2.messages.slice(0, p1.messages.length - 1)).toEqual(p1.messages.slice(0, -1));
      expect(p2.messages.map((m) => m.content).join('\n').split('Mikuru brews the tea.')).toHaveLength(2);
    });
  }

  it('an @depth entry that starts to fire on an appended turn rides on the new message, the earlier messages unchanged', () => {
    const deep = entry({ keys: ['biscuit'], content: 'Biscuits are in the tin.', ext: { position: 4, depth: 2 } });
    const first = input('token-prefix', book([deep]));
    const p1 = buildRolePrompt(first);
    expect(p1.messages.some((m) => m.content.includes('Biscuits'))).toBe(false);
    const p2 = buildRolePrompt({ ...first, history: [...first.history, assistant('Here.'), user('A biscuit too?')], previous: p1 });
    expect(p2.inspector.refresh).toBe('appended');
    expect(p2.messages.at(-1)!.content).toContain('[World info: Biscuits are in the tin.]');
    expect(p2.messages.slice(0, p1.messages.length - 1)).toEqual(p1.messages.slice(0, -1));
    expect(p2.inspector.lorebook.chosen).toEqual([expect.objectContaining({ id: 1, placement: 'note' })]);
  });

  it('an entry with role 2 is an assistant turn, and entries at one depth share one note', () => {
    const a = entry({ id: 1, content: 'Tea is green.', ext: { position: 4, depth: 3, role: 2 } });
    const b = entry({ id: 2, content: 'Cups are blue.', ext: { position: 4, depth: 3, role: 2 } });
    const p = buildRolePrompt(input('token-prefix', book([a, b])));
    const holder = p.messages.find((m) => m.content.includes('Tea is green.'))!;
    expect(holder.role).toBe('assistant');
    expect(holder.content).toContain('[World info: Tea is green.\nCups are blue.]');
  });

  it('positions 2 and 3 go next to the author\'s note; other positions stay where they went before', () => {
    const top = entry({ id: 1, content: 'Near the note.', ext: { position: 2 } });
    const outlet = entry({ id: 2, content: 'An outlet entry.', ext: { position: 7 } });
    const p = buildRolePrompt({ ...input('token-prefix', book([top, outlet])), memory: { authorsNote: { text: 'Keep it light.', depth: 2 } } });
    const contents = p.messages.map((m) => m.content);
    const note = contents.findIndex((c) => c.includes('[System note: Keep it light.]'));
    expect(contents[note]).toContain('[World info: Near the note.]');
    expect(contents[p.inspector.layout.contextIndex]).toContain('An outlet entry.');
  });

  it('never passes the window: with no room, the entries at depth are left out and said so', () => {
    const long = entry({ content: 'Tea lore. '.repeat(120), ext: { position: 4, depth: 1 } });
    const history = chat(30, 'Some tea?');
    const small = { ...input('token-prefix', book([long]), history), contextWindow: 700, replyTokens: 128 };
    const p = buildRolePrompt(small);
    expect(estimatePromptTokens(p.messages)).toBeLessThanOrEqual(700 - 128);
    const placed = p.inspector.lorebook.chosen.some((c) => c.id === 1);
    const left = p.inspector.lorebook.leftOut.some((c) => c.id === 1);
    expect(placed !== left).toBe(true);
  });
});
