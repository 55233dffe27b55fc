import { describe, expect, it } from 'vitest';
import { activeMembers, chooseSpeaker, firstMentioned, type SpeakerQuery } from '../../../../src/core/group/speaker';
import { mulberry32 } from '../../../fixtures/random';

const members = [
  { id: 'a', name: 'Alice' },
  { id: 'b', name: 'Bob' },
  { id: 'c', name: '春日' },
];

function query(overrides: Partial<SpeakerQuery> = {}): SpeakerQuery {
  return {
    group: { members: ['a', 'b', 'c'] },
    members,
    mode: 'natural',
    lastText: 'Hello everyone.',
    random: mulberry32(7),
    ...overrides,
  };
}

describe('chooseSpeaker: natural order', () => {
  it('lets the member named in the last line speak, the earliest mention first', () => {
    expect(chooseSpeaker(query({ lastText: 'What do you think, Bob? And Alice?' }))).toBe('b');
    expect(chooseSpeaker(query({ lastText: '春日说得对吗？' }))).toBe('c');
    expect(chooseSpeaker(query({ lastText: 'alice, your turn' }))).toBe('a');
  });

  it('does not take a name inside another word as a mention', () => {
    const picks = new Set(Array.from({ length: 30 }, (_, seed) => chooseSpeaker(query({ lastText: 'Bobby and Malice came by.', random: mulberry32(seed), group: { members: ['a', 'b', 'c'], talkativeness: { a: 0, b: 0, c: 1 } } }))));
    expect(picks).toEqual(new Set(['c']));
  });

  it('never lets a member answer their own line while another member can speak', () => {
    expect(chooseSpeaker(query({ lastText: 'I am Alice, and Bob knows it.', lastTextBy: 'a', lastSpeakerId: 'a' }))).toBe('b');
  });

  it("lets the person's message call back the member who spoke last", () => {
    expect(chooseSpeaker(query({ lastText: 'Alice, go on.', lastSpeakerId: 'a' }))).toBe('a');
  });

  it('without a mention, the talkative speak far more often than the shy, and the result repeats for a seed', () => {
    const group = { members: ['a', 'b', 'c'], talkativeness: { a: 0.9, b: 0.1, c: 0.1 } };
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let seed = 0; seed < 300; seed++) counts[chooseSpeaker(query({ group, random: mulberry32(seed) }))!]++;
    expect(counts.a).toBeGreaterThan(counts.b * 3);
    expect(counts.a).toBeGreaterThan(counts.c * 3);
    expect(counts.b + counts.c).toBeGreaterThan(0);
    expect(chooseSpeaker(query({ group, random: mulberry32(42) }))).toBe(chooseSpeaker(query({ group, random: mulberry32(42) })));
  });

  it('still picks someone when nobody is talkative', () => {
    const group = { members: ['a', 'b', 'c'], talkativeness: { a: 0, b: 0, c: 0 } };
    const picks = new Set(Array.from({ length: 40 }, (_, seed) => chooseSpeaker(query({ group, random: mulberry32(seed), lastTextBy: 'a' }))));
    expect(picks).toEqual(new Set(['b', 'c']));
  });

  it('skips muted and deleted members, and lets a lone member speak again', () => {
    expect(chooseSpeaker(query({ group: { members: ['a', 'b', 'c'], muted: ['b'] }, lastText: 'Bob?', lastTextBy: 'c' }))).toBe('a');
    expect(chooseSpeaker(query({ group: { members: ['a', 'gone'] }, members, lastTextBy: 'a' }))).toBe('a');
    expect(chooseSpeaker(query({ group: { members: ['a', 'b'], muted: ['a', 'b'] } }))).toBeNull();
  });
});

describe('chooseSpeaker: list order and manual', () => {
  it('goes down the list after the last speaker, wrapping and skipping the muted', () => {
    const list = (lastSpeakerId?: string, muted?: string[]) => chooseSpeaker(query({ mode: 'list', lastSpeakerId, group: { members: ['a', 'b', 'c'], muted } }));
    expect(list()).toBe('a');
    expect(list('a')).toBe('b');
    expect(list('c')).toBe('a');
    expect(list('a', ['b'])).toBe('c');
    expect(list('gone')).toBe('a');
  });

  it('ignores mentions in list order', () => {
    expect(chooseSpeaker(query({ mode: 'list', lastSpeakerId: 'a', lastText: '春日?' }))).toBe('b');
  });

  it('leaves the choice to the person in manual mode', () => {
    expect(chooseSpeaker(query({ mode: 'manual', lastText: 'Bob?' }))).toBeNull();
  });
});

describe('group members', () => {
  it('lists the active members in group order', () => {
    expect(activeMembers({ group: { members: ['c', 'a', 'b'], muted: ['a'] }, members }).map((m) => m.id)).toEqual(['c', 'b']);
  });

  it('finds the first mention', () => {
    expect(firstMentioned('Hey Bob, hey Alice', members)?.id).toBe('b');
    expect(firstMentioned('Nobody here', members)).toBeUndefined();
  });
});
