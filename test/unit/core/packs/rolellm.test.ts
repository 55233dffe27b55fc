// RoleLLM profiles (description + dialogue rows) and RoleBench instruction rows, on small inputs.

import { describe, expect, it } from 'vitest';
import { PackError } from '../../../../src/core/packs/common';
import { parseRoleBench, parseRoleLlmDescriptions, parseRoleLlmDialogues, parseRoleLlmProfile } from '../../../../src/core/packs/rolellm';

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n');

const dialogues = jsonl([
  { act_id: 1, diag_id: 0, role: 'Mira', content: 'The kettle is on.' },
  { act_id: 1, diag_id: 0, role: 'Jun', content: 'Then I will stay.' },
  { act_id: 1, diag_id: 1, role: 'Mira', content: 'Back again?' },
  { act_id: 2, diag_id: 0, role: 'Mira', content: 'Closing time.' },
  { act_id: 1, diag_id: 0, role: 'Mira', content: 'Sugar?' }, // same dialogue, later row
  { act_id: '2', diag_id: '0', role: 'Jun', content: 'Already?' }, // string ids group with numbers
  { act_id: 3, role: 'Mira', content: 'no diag_id' },
  { act_id: 3, diag_id: 0, role: 'Mira', content: '   ' },
]);

describe('parseRoleLlmDialogues', () => {
  it('groups rows into one scene per (act_id, diag_id), in first-appearance order', () => {
    const { scenes, warnings } = parseRoleLlmDialogues(dialogues);
    expect(scenes.map((s) => s.title)).toEqual(['Act 1, dialogue 0', 'Act 1, dialogue 1', 'Act 2, dialogue 0']);
    expect(scenes[0].lines).toEqual([
      { speaker: 'Mira', text: 'The kettle is on.' },
      { speaker: 'Jun', text: 'Then I will stay.' },
      { speaker: 'Mira', text: 'Sugar?' },
    ]);
    expect(scenes[0].text).toBe('Mira: The kettle is on.\nJun: Then I will stay.\nMira: Sugar?');
    expect(scenes[2].lines.map((l) => l.speaker)).toEqual(['Mira', 'Jun']);
    expect(scenes.every((s) => s.source === 'rolellm' && s.tokens > 0 && s.vectors.length === 0)).toBe(true);
    expect(warnings).toEqual(['row 7: skipped, it lacks act_id, diag_id, role or content.']);
  });

  it('can write lines the ChatHaruhi way, to sit beside ChatHaruhi stories', () => {
    const { scenes } = parseRoleLlmDialogues(dialogues, { lineFormat: 'chatharuhi' });
    expect(scenes[1].text).toBe('Mira:「Back again?」');
  });

  it('accepts a JSON array as well as JSONL, and names bad rows', () => {
    const array = JSON.stringify([{ act_id: 0, diag_id: 0, role: 'Mira', content: 'Hi.' }, 'junk']);
    const parsed = parseRoleLlmDialogues(array);
    expect(parsed.scenes).toHaveLength(1);
    expect(parsed.warnings).toEqual(['row 2: skipped, not a JSON object.']);
    expect(parseRoleLlmDialogues(`${jsonl([{ act_id: 0, diag_id: 0, role: 'Mira', content: 'Hi.' }])}\n{broken`).warnings).toEqual([
      'row 2: skipped, not a JSON object.',
    ]);
  });

  it('rejects input without any row', () => {
    expect(() => parseRoleLlmDialogues('nothing here')).toThrow(PackError);
    expect(() => parseRoleLlmDialogues('{"a": 1')).toThrowError(/no line is a JSON object/);
    expect(() => parseRoleLlmDialogues('[1, 2')).toThrowError(/not valid JSON/);
  });
});

describe('parseRoleLlmProfile', () => {
  const desc = JSON.stringify({ Mira: 'Mira keeps a tea house in the old town.', Jun: 'A courier.' });

  it('takes the description from desc.json and the dialogues as scenes', () => {
    const profile = parseRoleLlmProfile({ role: 'Mira', descriptions: desc, dialogues });
    expect(profile.name).toBe('Mira');
    expect(profile.description).toBe('Mira keeps a tea house in the old town.');
    expect(profile.scenes).toHaveLength(3);
    expect(profile.warnings).toHaveLength(1);
  });

  it('prefers a description given directly, and warns when desc.json lacks the role', () => {
    expect(parseRoleLlmProfile({ role: 'Mira', description: ' Given. ', descriptions: desc }).description).toBe('Given.');
    const missing = parseRoleLlmProfile({ role: 'Tao', descriptions: desc });
    expect(missing.description).toBe('');
    expect(missing.warnings).toEqual(['desc.json: no description for "Tao".']);
    expect(parseRoleLlmDescriptions(desc).get('Jun')).toBe('A courier.');
    expect(() => parseRoleLlmDescriptions('[1]')).toThrowError(/not an object/);
  });
});

describe('parseRoleBench', () => {
  const rows = jsonl([
    { role: 'Mira', question: 'What do you brew first thing?', generated: ['Oolong, always.', 'Oolong.'] },
    { role: 'Jun', question: 'Where to?', generated: ['North.'] },
    { role: 'Mira', question: 'Why tea?', generated: 'Because it waits for no one.' },
    { role: 'Mira', question: 'Empty answers', generated: ['', '  '] },
  ]);

  it('turns each row into a question/answer scene with the first generated answer', () => {
    const { scenes, roles, warnings } = parseRoleBench(rows, { role: 'Mira' });
    expect(scenes).toHaveLength(2);
    expect(scenes[0]).toMatchObject({
      title: 'What do you brew first thing?',
      text: 'User: What do you brew first thing?\nMira: Oolong, always.',
      lines: [
        { speaker: 'User', text: 'What do you brew first thing?' },
        { speaker: 'Mira', text: 'Oolong, always.' },
      ],
      source: 'rolellm',
    });
    expect(scenes[1].lines[1].text).toBe('Because it waits for no one.');
    expect(roles).toEqual([
      { role: 'Mira', rows: 2 },
      { role: 'Jun', rows: 1 },
    ]);
    expect(warnings).toEqual(['row 4: skipped, it lacks role, question or a generated answer.']);
  });

  it('keeps every role without a filter, names the user as asked, and warns about an absent role', () => {
    expect(parseRoleBench(rows).scenes).toHaveLength(3);
    expect(parseRoleBench(rows, { userName: '{{user}}' }).scenes[0].lines[0].speaker).toBe('{{user}}');
    expect(parseRoleBench(rows, { role: 'Tao' }).warnings).toContain('No rows for the role "Tao".');
  });
});
