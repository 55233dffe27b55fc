import { describe, expect, it } from 'vitest';
import { mergeLorebooks } from '../../../../src/core/merge-lorebooks';
import { buildRolePrompt, inspectPrompt, splitParts } from '../../../../src/core/role-prompt';
import type { Lorebook, LorebookEntry, StoredLorebook } from '../../../../src/core/types';
import { assistant, testCharacter, user } from '../../helpers/prompt-inputs';

const entry = (id: number | string, keys: string[], content: string): LorebookEntry => ({
  id, keys, secondaryKeys: [], content, enabled: true, insertionOrder: 0, extensions: {},
});

describe('inspectPrompt', () => {
  const scenes = [{ id: 'sc1', text: 'Haruhi:「Aliens exist!」', score: 3, title: 'Aliens' }];
  const book: Lorebook = { extensions: {}, entries: [entry(1, ['SOS'], 'The SOS Brigade meets after school.')] };

  it('splits every message into its sections, so each section shows its own text and tokens', () => {
    const prompt = buildRolePrompt({
      character: testCharacter({ postHistoryInstructions: 'Stay short.' }),
      persona: { name: 'Kyon', description: 'A tired student.' },
      lorebook: book,
      history: [assistant('You are late!'), user('What is the SOS Brigade?')],
      scenes,
      contextWindow: 4096,
      replyTokens: 256,
    });
    const view = inspectPrompt(prompt);
    expect(view.messages.map((m) => m.parts.map((p) => p.text).join('\n\n'))).toEqual(prompt.messages.map((m) => m.content));
    expect(view.sections.map((s) => s.name)).toEqual(prompt.sections.map((s) => s.name));
    const text = (name: string) => view.sections.find((s) => s.name === name)!.texts.map((x) => x.text);
    expect(text('persona')).toEqual(['About Kyon: A tired student.']);
    expect(text('examples').slice(1)).toEqual(['Hi.', 'Finally! Sit down.', 'What now?', 'Aliens, obviously.']);
    expect(text('lorebook')[0]).toContain('The SOS Brigade meets after school.');
    expect(text('scenes')[0]).toContain('Aliens exist!');
    expect(text('message')).toEqual(['What is the SOS Brigade?']);
    expect(text('post-history')).toEqual(['[System note: Stay short.]']);
    expect(text('history')).toEqual(['You are late!']);
    expect(view.total).toBe(prompt.inspector.budget.used);
  });

  it('puts knowledge passages in their own section, within a quarter of the scene budget, and records them as knowledge', () => {
    const passage = (i: number) => ({
      id: `k${i}`,
      kind: 'knowledge' as const,
      title: `Brigade wiki · ${i + 1}/8`,
      score: 20 - i,
      text: `The SOS Brigade (part ${i}) was founded by Haruhi Suzumiya to find aliens, time travellers and espers. `.repeat(3),
    });
    const dialogue = [
      { id: 'sc1', text: 'Haruhi:「Aliens exist!」', score: 3, title: 'Aliens' },
      { id: 'sc2', text: 'Kyon:「Why me?」\nHaruhi:「Because you are here.」', score: 2, title: 'Why me' },
    ];
    const prompt = buildRolePrompt({
      character: testCharacter(),
      history: [user('What is the SOS Brigade?')],
      scenes: [...Array.from({ length: 8 }, (_, i) => passage(i)), ...dialogue],
      contextWindow: 4096,
      replyTokens: 256,
      budgets: { scenes: 1200 },
    });
    const view = inspectPrompt(prompt);
    const section = (name: string) => view.sections.find((s) => s.name === name);
    const knowledge = section('knowledge')!;
    expect(knowledge.texts[0].text.startsWith('What the role knows (background, not dialogue):\n')).toBe(true);
    expect(knowledge.texts[0].text).toContain('(part 0)');
    // Passages outscore the scenes, yet take at most a quarter of the room: the character's lines still come.
    expect(knowledge.tokens).toBeLessThanOrEqual(300);
    expect(section('scenes')!.texts[0].text).toContain('Because you are here.');
    expect(view.sections.map((s) => s.name).indexOf('knowledge')).toBeLessThan(view.sections.map((s) => s.name).indexOf('scenes'));
    const chosen = prompt.inspector.scenes.chosen;
    expect(chosen.filter((s) => s.kind === 'knowledge').map((s) => s.id)).toEqual(['k0', 'k1']);
    expect(chosen.filter((s) => s.kind !== 'knowledge').map((s) => s.id)).toEqual(['sc1', 'sc2']);
    expect(prompt.inspector.scenes.leftOut.find((s) => s.id === 'k2')).toMatchObject({ kind: 'knowledge', reason: 'below-others' });
  });

  it('takes the best passage alone when it outgrows a quarter of the scene budget but fits in half (a costlier tokenizer)', () => {
    const passage = (i: number, repeat: number) => ({ id: `k${i}`, kind: 'knowledge' as const, score: 10 - i, text: `Brigade fact ${i}: the club meets after school in the old literature room. `.repeat(repeat) });
    const prompt = buildRolePrompt({
      character: testCharacter(),
      history: [user('Where does the brigade meet?')],
      scenes: [passage(0, 20), passage(1, 20), { id: 'sc1', text: 'Haruhi:「Aliens exist!」', score: 3, title: 'Aliens' }],
      contextWindow: 4096,
      replyTokens: 256,
      budgets: { scenes: 1200 },
    });
    const knowledge = prompt.inspector.scenes.chosen.filter((s) => s.kind === 'knowledge');
    expect(knowledge.map((s) => s.id)).toEqual(['k0']);
    expect(knowledge[0].tokens).toBeGreaterThan(300);
    expect(knowledge[0].tokens).toBeLessThanOrEqual(600);
    expect(prompt.inspector.scenes.chosen.some((s) => s.id === 'sc1')).toBe(true);
  });

  it('does not take new knowledge passages for a change of topic: the dialogue scenes alone decide', () => {
    const dialogue = [
      { id: 'sc1', text: 'Haruhi:「Aliens exist!」', score: 3, title: 'Aliens' },
      { id: 'sc2', text: 'Kyon:「Why me?」\nHaruhi:「Because you are here.」', score: 2, title: 'Why me' },
    ];
    const passage = (id: string, score: number) => ({ id, kind: 'knowledge' as const, score, text: `Brigade facts (${id}): founded in April.` });
    const base = { character: testCharacter(), contextWindow: 4096, replyTokens: 256, onTopicMove: 'rebuild' as const };
    const first = buildRolePrompt({ ...base, history: [assistant('You are late!'), user('What is the SOS Brigade?')], scenes: [...dialogue, passage('k0', 20)] });
    expect(first.inspector.scenes.chosen.map((s) => s.id)).toContain('k0');
    const second = buildRolePrompt({
      ...base,
      history: [assistant('You are late!'), user('What is the SOS Brigade?'), assistant('The best club!'), user('Who founded it?')],
      // Same scenes, scored alike; another passage, scored far higher on its own scale.
      scenes: [...dialogue, passage('k9', 50)],
      previous: JSON.parse(JSON.stringify(first)),
    });
    expect(second.inspector.refresh).toBe('appended');
  });

  it('on an appended turn, only the new message is "message"; the last one is history now', () => {
    const base = { character: testCharacter(), lorebook: book, scenes, contextWindow: 4096, replyTokens: 256 };
    const first = buildRolePrompt({ ...base, history: [assistant('You are late!'), user('What is the SOS Brigade?')] });
    const second = buildRolePrompt({
      ...base,
      history: [assistant('You are late!'), user('What is the SOS Brigade?'), assistant('The best club!'), user('Can I leave?')],
      previous: JSON.parse(JSON.stringify(first)),
    });
    expect(second.inspector.refresh).toBe('appended');
    const view = inspectPrompt(second);
    const text = (name: string) => view.sections.find((s) => s.name === name)!.texts.map((x) => x.text);
    expect(text('message')).toEqual(['Can I leave?']);
    expect(text('history')).toEqual(['You are late!', 'What is the SOS Brigade?', 'The best club!']);
    expect(text('scenes')[0]).toContain('Aliens exist!');
  });

  it('shows an old prompt without an inspector message by message', () => {
    const view = inspectPrompt({
      messages: [{ role: 'system', content: 'Be Haruhi.' }, { role: 'user', content: 'Hi' }],
      sections: [{ name: 'system', tokens: 12 }, { name: 'message', tokens: 8 }],
      droppedMessages: 0,
    });
    expect(view.inspector).toBeUndefined();
    expect(view.sections.map((s) => [s.name, s.tokens, s.texts.map((t) => t.text)])).toEqual([['system', 12, ['Be Haruhi.']], ['message', 8, ['Hi']]]);
  });

  it('keeps a message whole when its recorded parts do not fit its text', () => {
    expect(splitParts('abc\n\ndef', [['system', 3], ['persona', 3]], 'history').map((p) => p.text)).toEqual(['abc', 'def']);
    expect(splitParts('abcdef', [['system', 3], ['persona', 3]], 'history')).toEqual([{ section: 'history', text: 'abcdef' }]);
    expect(splitParts('abc\n\ndef', [['system', 3]], 'history')).toEqual([{ section: 'system', text: 'abc' }, { section: 'history', text: 'def' }]);
  });
});

describe('mergeLorebooks', () => {
  const stored = (id: string, entries: LorebookEntry[], over: Partial<StoredLorebook> = {}): StoredLorebook => ({
    id, enabled: true, createdAt: 0, updatedAt: 0, sourceName: `${id}.json`, book: { name: `Book ${id}`, extensions: {}, entries }, ...over,
  });

  it('adds the enabled standalone books after the card\'s, with ids that cannot collide and names that say the book', () => {
    const card: Lorebook = { extensions: {}, scanDepth: 2, tokenBudget: 100, entries: [entry(1, ['a'], 'card')] };
    const merged = mergeLorebooks(card, [stored('g', [entry(1, ['b'], 'global')], { book: { extensions: {}, scanDepth: 6, tokenBudget: 50, entries: [entry(1, ['b'], 'global')] } }), stored('off', [entry(1, ['c'], 'x')], { enabled: false })]);
    expect(merged?.entries.map((e) => [e.id, e.content])).toEqual([[1, 'card'], ['g/1', 'global']]);
    expect(merged?.entries[1].name).toBe('g.json › 1');
    expect(merged?.scanDepth).toBe(6);
    expect(merged?.tokenBudget).toBe(150);
  });

  it('puts an entry the card\'s book and an imported book both hold in once (the card\'s), so the prompt and the inspector list it once', () => {
    const card: Lorebook = { extensions: {}, entries: [entry(1, ['SOS', 'brigade'], 'The SOS Brigade meets after school.')] };
    // The same card's book imported again as a World Info file: same keys (in another order), same text.
    const again = stored('wi', [entry(7, ['brigade ', 'SOS'], 'The SOS Brigade meets after school.\n'), entry(8, ['club'], 'The literature club room.')]);
    const merged = mergeLorebooks(card, [again]);
    expect(merged?.entries.map((e) => e.id)).toEqual([1, 'wi/8']);
    const prompt = buildRolePrompt({ character: testCharacter(), lorebook: merged, history: [user('Is the SOS brigade in the club room?')], contextWindow: 4096, replyTokens: 256 });
    expect(prompt.inspector.lorebook.chosen.map((e) => e.id)).toEqual([1, 'wi/8']);
    const lore = inspectPrompt(prompt).sections.find((x) => x.name === 'lorebook')!.texts.map((x) => x.text).join('\n');
    expect(lore.split('The SOS Brigade meets after school.').length - 1).toBe(1);
    // Different text for the same keys is a different entry: both stay.
    expect(mergeLorebooks(card, [stored('v2', [entry(2, ['SOS'], 'The SOS Brigade moved.')])])?.entries).toHaveLength(2);
  });

  it('is the card\'s own book when no standalone book applies, and undefined with no book at all', () => {
    const card: Lorebook = { extensions: {}, entries: [] };
    expect(mergeLorebooks(card, [])).toBe(card);
    expect(mergeLorebooks(undefined, [])).toBeUndefined();
    expect(mergeLorebooks(undefined, [stored('g', [entry(1, ['b'], 'global')])])?.entries).toHaveLength(1);
  });
});
