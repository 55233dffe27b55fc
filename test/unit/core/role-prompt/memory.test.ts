import { describe, expect, it } from 'vitest';
import { buildRolePrompt, type RolePrompt, type RolePromptInput } from '../../../../src/core/role-prompt';
import type { ChatTurn } from '../../../../src/core/types';
import { assistant, testCharacter, user } from '../../helpers/prompt-inputs';

/** A long chat: `pairs` exchanges of about 60 words each, then the new message. */
function longChat(pairs: number, last = 'What now?'): ChatTurn[] {
  const history: ChatTurn[] = [assistant('Hey {{user}}! You are late!')];
  for (let i = 0; i < pairs; i++) {
    history.push(user(`Message ${i}: ` + 'we walk along the river and talk about the weather and school. '.repeat(5)));
    history.push(assistant(`Reply ${i}: ` + 'Haruhi points at the clouds and makes plans for the brigade. '.repeat(5)));
  }
  history.push(user(last));
  return history;
}

function input(overrides: Partial<RolePromptInput> = {}): RolePromptInput {
  return {
    character: testCharacter(),
    persona: { name: 'Kyon', description: 'A tired student.' },
    history: longChat(40),
    contextWindow: 2048,
    replyTokens: 256,
    cache: 'token-prefix',
    ...overrides,
  };
}

const sectionText = (prompt: RolePrompt, name: string) => {
  const layout = prompt.inspector.layout;
  const block = prompt.messages[layout.contextIndex].content;
  return { block, has: prompt.sections.some((s) => s.name === name) };
};

/** The next turn: the reply and a new message appended, the previous prompt passed back. */
function nextTurn(previousInput: RolePromptInput, previous: RolePrompt, patch: Partial<RolePromptInput> = {}, message = 'And then?'): RolePromptInput {
  return { ...previousInput, history: [...previousInput.history, assistant('Fine, fine.'), user(message)], previous, ...patch };
}

describe('role prompt memory: summary and pins', () => {
  it('puts the summary and the pins in the context block, before the history, counted in their own sections', () => {
    const prompt = buildRolePrompt(
      input({ memory: { summary: { id: 's1', text: 'Kyon and Haruhi met at the station.', covers: 30 }, pins: [{ id: 'p1', text: '{{user}} is allergic to cats.' }] } }),
    );
    const { block } = sectionText(prompt, 'summary');
    expect(block).toContain('The story so far: Kyon and Haruhi met at the station.');
    expect(block).toContain('- Kyon is allergic to cats.');
    expect(block.indexOf('The story so far')).toBeLessThan(block.indexOf('[The role-play with Kyon follows'));
    expect(prompt.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['summary', 'pins']));
    expect(prompt.inspector.memory?.summary).toMatchObject({ id: 's1', taken: true, covers: 30 });
    expect(prompt.inspector.memory?.pins).toEqual([expect.objectContaining({ id: 'p1', taken: true })]);
  });

  it('keeps pins within their budget and says which were left out', () => {
    const pins = Array.from({ length: 12 }, (_, i) => ({ id: `p${i}`, text: `Fact number ${i} that matters a great deal to the story.` }));
    const prompt = buildRolePrompt(input({ memory: { pins, budgets: { pins: 60 } } }));
    const record = prompt.inspector.memory!.pins;
    const taken = record.filter((p) => p.taken);
    expect(taken.length).toBeGreaterThan(0);
    expect(taken.length).toBeLessThan(12);
    expect(record.filter((p) => !p.taken).every((p) => p.reason === 'budget')).toBe(true);
    expect(prompt.sections.find((s) => s.name === 'pins')!.tokens).toBeLessThanOrEqual(60 + 8);
  });

  it('a rewritten summary waits for the next fresh build, so the appended prompt keeps the engine cache', () => {
    const first = input({ memory: { summary: { id: 's1', text: 'They met at the station.' } } });
    const p1 = buildRolePrompt(first);
    const second = nextTurn(first, p1, { memory: { summary: { id: 's2', text: 'They met at the station and found a cat.' } } });
    const p2 = buildRolePrompt(second);
    expect(p2.inspector.mode).toBe('appended');
    expect(p2.messages.slice(0, p1.messages.length)).toEqual(p1.messages);
    expect(p2.inspector.memory?.summary).toMatchObject({ id: 's2', taken: false, reason: 'not-refreshed' });
    // Built afresh (no previous prompt): the new summary is in.
    const p3 = buildRolePrompt({ ...second, previous: undefined });
    expect(sectionText(p3, 'summary').block).toContain('found a cat');
    expect(p3.inspector.memory?.summary).toMatchObject({ id: 's2', taken: true });
  });

  it('turning memory on changes the plan once; later turns with the same memory are appended', () => {
    const first = input({ memory: { pins: [{ id: 'p', text: 'Kyon hates cats.' }] } });
    const p1 = buildRolePrompt(first);
    const p2 = buildRolePrompt(nextTurn(first, p1));
    expect(p2.inspector.mode).toBe('appended');
  });
});

describe('role prompt memory: recall and the author\'s note', () => {
  it('recalls an old message out of the history sent, and not one still in it', () => {
    const history = longChat(40, 'Do you remember the red umbrella?');
    history[1] = user('I left my red umbrella at the shrine.');
    const newest = history.length - 3;
    const prompt = buildRolePrompt(
      input({
        history,
        memory: {
          recall: [
            { id: 'old', turn: 1, text: history[1].content, score: 5 },
            { id: 'new', turn: newest, text: history[newest].content, score: 3 },
          ],
        },
      }),
    );
    const last = prompt.messages.at(-1)!.content;
    expect(last).toContain('Earlier in this chat:\nKyon: I left my red umbrella at the shrine.');
    expect(last.indexOf('red umbrella at the shrine')).toBeLessThan(last.indexOf('Do you remember'));
    expect(prompt.inspector.memory?.recalled).toEqual([
      expect.objectContaining({ id: 'old', taken: true }),
      expect.objectContaining({ id: 'new', taken: false, reason: 'in-history' }),
    ]);
  });

  it('puts the author\'s note at its depth when built afresh, and on the new message at depth 0', () => {
    const history = [assistant('Hi!'), user('One.'), assistant('Two.'), user('Three.'), assistant('Four.'), user('Five?')];
    const deep = buildRolePrompt(input({ history, memory: { authorsNote: { text: 'Keep it light.', depth: 2 } } }));
    const contents = deep.messages.map((m) => m.content);
    const at = contents.findIndex((c) => c.includes('[System note: Keep it light.]'));
    expect(contents[at]).toContain('Three.');
    expect(contents[at].indexOf('Keep it light')).toBeLessThan(contents[at].indexOf('Three.'));
    expect(contents.slice(at + 1).join('|')).toContain('Four.');
    expect(deep.inspector.memory?.authorsNote).toMatchObject({ depth: 2, taken: true });

    const top = buildRolePrompt(input({ history, memory: { authorsNote: { text: 'Keep it light.', depth: 0 } } }));
    const last = top.messages.at(-1)!.content;
    expect(last.endsWith('Five?\n\n[System note: Keep it light.]')).toBe(true);
  });

  it('a changed author\'s note rebuilds the prompt (its place is part of the prefix)', () => {
    const first = input({ memory: { authorsNote: { text: 'Keep it light.', depth: 4 } } });
    const p1 = buildRolePrompt(first);
    const p2 = buildRolePrompt(nextTurn(first, p1, { memory: { authorsNote: { text: 'Make it tense.', depth: 4 } } }));
    expect(p2.inspector.refresh).toBe('config-changed');
    expect(p2.messages.some((m) => m.content.includes('Make it tense.'))).toBe(true);
  });
});

describe('role prompt memory: recall room', () => {
  it('a short chat that fits keeps recall\'s room for scenes; a chat that outgrows the room reserves it', () => {
    const scenes = Array.from({ length: 12 }, (_, i) => ({
      id: `s${i}`, title: `S${i}`, text: `Haruhi:「The lighthouse story number ${i}. ${'We watch the sea and the light. '.repeat(12)}」`, tokens: 120, score: 1 - i / 20,
    }));
    const build = (history: ChatTurn[], recall: boolean) =>
      buildRolePrompt(input({ history, contextWindow: 2048, replyTokens: 128, scenes, ...(recall ? { memory: { recall: [] } } : {}) }));
    // Nothing out of the window to recall yet: the prompt is the one without memory, every scene kept.
    const short = [assistant('Hey {{user}}!'), user('Can you see the lighthouse?')];
    const withRecall = build(short, true);
    expect(withRecall.messages).toEqual(build(short, false).messages);
    expect(withRecall.inspector.scenes.chosen.length).toBe(8);
    // A long chat: history is cut either way, and recall keeps its room (history leaves it free).
    const long = longChat(40, 'Can you see the lighthouse?');
    const kept = (recall: boolean) => buildRolePrompt(input({ history: long, ...(recall ? { memory: { recall: [] } } : {}) })).inspector.history.kept;
    expect(kept(true)).toBeLessThan(kept(false));
  });
});
