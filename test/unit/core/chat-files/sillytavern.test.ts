// SillyTavern JSONL chats: reading a file SillyTavern wrote (hand-written here from its format),
// writing one, and the round trip through both.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chatRowsFromSillyTavern, MAX_SWIPES, parseSillyTavernChat, parseSillyTavernDate, toSillyTavernJsonl } from '../../../../src/core/chat-files/sillytavern';
import { LONG_FIELD_CAP } from '../../../../src/core/import/field-caps';
import { MessageTree } from '../../../../src/core/message-tree';

const fixture = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');

function counter() {
  let n = 0;
  return () => `m${++n}`;
}

function rowsOf(source: string) {
  return chatRowsFromSillyTavern(parseSillyTavernChat(source), { conversationId: 'k1', characterId: 'hester', title: 'Imported', newId: counter(), now: 5 });
}

describe('parseSillyTavernChat', () => {
  it('reads the header, every message with its swipes, and reports the bad lines by number', () => {
    const chat = parseSillyTavernChat(fixture('ember-inn.jsonl'));
    expect(chat.userName).toBe('Wren');
    expect(chat.characterName).toBe('Hester Coyle');
    expect(chat.group).toBe(false);
    expect(chat.messages.map((m) => [m.line, m.role])).toEqual([
      [2, 'assistant'], [3, 'user'], [4, 'assistant'], [5, 'user'], [6, 'system'], [9, 'assistant'],
    ]);
    expect(chat.messages[2].swipes).toHaveLength(3);
    expect(chat.messages[2].chosen).toBe(1);
    expect(chat.messages[2].model).toBe('mythomax-l2-13b.Q5_K_M');
    expect(chat.problems).toEqual([{ line: 7, problem: 'not-json' }, { line: 8, problem: 'not-a-message' }]);
  });

  it('reads SillyTavern dates in each form it writes', () => {
    expect(parseSillyTavernDate('March 9, 2024 9:14pm')).toBe(new Date(2024, 2, 9, 21, 14).getTime());
    expect(parseSillyTavernDate('2024-03-09@21h14m05s')).toBe(new Date(2024, 2, 9, 21, 14, 5).getTime());
    expect(parseSillyTavernDate('2024-03-10T19:00:00.000Z')).toBe(Date.UTC(2024, 2, 10, 19));
    expect(parseSillyTavernDate(1710000000000)).toBe(1710000000000);
    expect(parseSillyTavernDate(1710000000)).toBe(1710000000000);
    expect(parseSillyTavernDate('whenever')).toBeUndefined();
  });

  it('knows a group chat: no character in the header and several characters speaking', () => {
    const chat = parseSillyTavernChat(fixture('group-night-watch.jsonl'));
    expect(chat.group).toBe(true);
    expect(chat.speakers).toEqual(['Hester Coyle', 'Ledger']);
  });

  it('caps hostile input: a huge message is cut with a warning, swipes and nesting are bounded', () => {
    const huge = 'a '.repeat(LONG_FIELD_CAP);
    const swipes = Array.from({ length: MAX_SWIPES + 5 }, (_, i) => `s${i}`);
    let deep = '"x"';
    for (let i = 0; i < 200; i++) deep = `{"a":${deep}}`;
    const source = [
      JSON.stringify({ user_name: 'U', character_name: 'C' }),
      JSON.stringify({ name: 'C', is_user: false, mes: huge }),
      JSON.stringify({ name: 'C', is_user: false, mes: 's0', swipes, swipe_id: 0 }),
      `{"name":"C","mes":"deep","extra":${deep}}`,
      '[1,2,3]',
    ].join('\n');
    const chat = parseSillyTavernChat(source);
    expect(chat.messages[0].swipes[0].length).toBeLessThanOrEqual(LONG_FIELD_CAP);
    expect(chat.messages[1].swipes).toHaveLength(MAX_SWIPES);
    expect(chat.warnings).toHaveLength(2);
    expect(chat.problems).toEqual([{ line: 4, problem: 'too-deep' }, { line: 5, problem: 'not-a-message' }]);
  });
});

describe('chatRowsFromSillyTavern', () => {
  it('makes the shown swipes the visible branch and keeps the others as swipes of that message', () => {
    const { conversation, messages } = rowsOf(fixture('ember-inn.jsonl'));
    const tree = new MessageTree(messages);
    const path = tree.path(conversation.leafId);
    expect(path.map((m) => m.content)).toEqual([
      "*The lamp gutters as the door swings open.* You're late, and the tide won't wait for either of us.",
      'Sorry. The ferry from Élancourt was cancelled — *she shakes rain from her coat.*',
      'Then you walked the cliff path? In this weather?',
      'I did. 灯塔的光一直在。',
      'Wren has joined the watch.',
      "Then sit. The kettle's on, and the log wants writing.",
    ]);
    expect(tree.siblings(path[2].id).map((m) => m.content)).toEqual([
      'Cancelled again. That ferryman drinks more than he sails.',
      'Then you walked the cliff path? In this weather?',
      '*Hester raises an eyebrow.* Hm.',
    ]);
    expect(conversation.messageCount).toBe(8);
    expect(path[0].createdAt).toBe(new Date(2024, 2, 9, 21, 14).getTime());
  });
});

describe('toSillyTavernJsonl', () => {
  it('round-trips: a chat exported and read again has the same messages, swipes, roles and dates', () => {
    const first = rowsOf(fixture('ember-inn.jsonl'));
    const exported = toSillyTavernJsonl(first.conversation, first.messages, { userName: 'Wren', characterName: 'Hester Coyle' });
    const header = JSON.parse(exported.split('\n')[0]);
    expect(header).toMatchObject({ user_name: 'Wren', character_name: 'Hester Coyle', chat_metadata: {} });
    const second = rowsOf(exported);
    const shape = ({ conversation, messages }: typeof first) => {
      const tree = new MessageTree(messages);
      return tree.path(conversation.leafId).map((m) => ({
        role: m.role, content: m.content, createdAt: m.createdAt, model: m.model,
        swipes: tree.siblings(m.id).map((s) => s.content),
      }));
    };
    expect(shape(second)).toEqual(shape(first));
    expect(parseSillyTavernChat(exported).problems).toEqual([]);
  });
});
