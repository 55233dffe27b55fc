// Making a group from characters, editing it, and the quick changes its chat makes (mode, mute).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CharacterShelf } from '../../../src/state/characters.svelte';
import { GroupChanges, GroupForm, setGroupMode, toggleMuted } from '../../../src/state/group-form.svelte';
import { AppDatabase } from '../../../src/storage/db';
import { createRepositories, type Repositories } from '../../../src/storage';
import { makeCharacter } from '../storage/helpers';

let db: AppDatabase;
let repos: Repositories;
let shelf: CharacterShelf;

beforeEach(async () => {
  db = new AppDatabase(`group-form-${crypto.randomUUID()}`);
  await db.open();
  repos = createRepositories(db);
  shelf = new CharacterShelf(() => repos);
  await repos.characters.bulkPut([makeCharacter({ id: 'a', name: 'Alice' }), makeCharacter({ id: 'b', name: 'Bob' }), makeCharacter({ id: 'c', name: 'Cid' })]);
  await shelf.refresh();
});
afterEach(() => db.close());

describe('GroupForm', () => {
  it('needs a name and two members, keeps their order, and saves a group the gallery lists', async () => {
    const form = new GroupForm(shelf, 'en');
    expect(form.problem).toBe('name');
    form.name = 'Party';
    form.toggle('b');
    expect(form.problem).toBe('members');
    form.toggle('a');
    form.toggle('c');
    form.move('c', -1);
    form.mode = 'list';
    form.greetingFrom = 'a';
    form.scenario = ' A tavern. ';
    expect(form.talkativenessOf('c')).toBe(0.5);
    form.setTalkativeness('c', 1.7);
    expect(form.problem).toBeNull();
    const id = await form.save();
    const saved = shelf.byId(id)!;
    expect(saved.name).toBe('Party');
    expect(saved.group).toEqual({ members: ['b', 'c', 'a'], mode: 'list', greetingFrom: 'a', scenario: 'A tavern.', talkativeness: { c: 1 } });
    expect(new GroupForm(shelf, 'en').candidates.map((c) => c.id)).toEqual(['a', 'b', 'c']);
  });

  it('edits a group, and a member taken out no longer greets or stays muted', async () => {
    const form = new GroupForm(shelf, 'en');
    form.name = 'Party';
    ['a', 'b', 'c'].forEach((id) => form.toggle(id));
    form.greetingFrom = 'c';
    const id = await form.save();
    const changes = new GroupChanges(shelf, id);
    // Two quick changes: the second waits for the first and keeps it.
    await Promise.all([changes.change(toggleMuted('c')), changes.change(setGroupMode('manual'))]);
    const edit = new GroupForm(shelf, 'en', shelf.byId(id));
    expect(edit.mode).toBe('manual');
    edit.toggle('c');
    expect(edit.greetingFrom).toBe('');
    await edit.save();
    expect(shelf.byId(id)?.group).toEqual({ members: ['a', 'b'], mode: 'manual', muted: [] });
  });

  it('mutes and unmutes a member from the chat', async () => {
    const form = new GroupForm(shelf, 'en');
    form.name = 'Duo';
    form.toggle('a');
    form.toggle('b');
    const id = await form.save();
    const changes = new GroupChanges(shelf, id);
    await changes.change(toggleMuted('b'));
    expect((await repos.characters.get(id))?.group?.muted).toEqual(['b']);
    await changes.change(toggleMuted('b'));
    expect((await repos.characters.get(id))?.group?.muted).toEqual([]);
  });
});
