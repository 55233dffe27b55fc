// The import pipeline on fake-indexeddb: per-file results over real ChatHaruhi packs and cards built
// byte by byte, rejection reasons, replace-or-keep-both, and one transaction per file (a full disk
// or a cancel mid-save leaves every table as it was).

import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeSolidPng } from '../../../src/core/cards/png';
import { parseChatHaruhiFolder } from '../../../src/core/packs/chatharuhi';
import { encodeHearthPack } from '../../../src/core/packs/hearth-pack';
import type { Character, StoredLorebook } from '../../../src/core/types';
import { storedLorebook } from '../../../src/core/import/records';
import { runImportRead, unwrapReply } from '../../../src/core/import/worker-protocol';
import { ImportJob, type DuplicateChoice } from '../../../src/state/import-job.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';
import { cardChunk, chunk, latin1, png, richV3, stMix, u8, zip } from '../core/cards/helpers';
import { haveFixtures, readPackFolder, utf8 } from '../core/packs/helpers';
import { freshDb, makeConversation } from '../storage/helpers';

let db: AppDatabase;
let repos: Repositories;
let characters: Character[];
let job: ImportJob;
let imported: string[][];

beforeEach(async () => {
  db = await freshDb();
  repos = createRepositories(db);
  characters = [];
  imported = [];
  job = new ImportJob({
    imports: () => repos.imports,
    lorebooks: () => repos.lorebooks,
    characters: () => characters,
    refresh: async () => {
      characters = await repos.characters.list();
    },
    estimate: async () => ({ usage: 900 * 1024 * 1024, quota: 1024 * 1024 * 1024 }),
  });
  job.onImported((ids) => imported.push(ids));
});

afterEach(async () => {
  db.close();
  await db.delete();
});

/** Answer every replace-or-keep-both question with `choice`, recording who was asked about. */
const timers: ReturnType<typeof setInterval>[] = [];
afterEach(() => timers.splice(0).forEach(clearInterval));

function answerWith(choice: DuplicateChoice): string[] {
  const asked: string[] = [];
  timers.push(setInterval(() => {
    if (job.question) {
      asked.push(job.question.name);
      job.answer(choice);
    }
  }, 1));
  return asked;
}

async function tableCounts() {
  return {
    characters: await db.characters.count(),
    scenes: await db.scenes.count(),
    lorebooks: await db.lorebooks.count(),
    conversations: await db.conversations.count(),
  };
}

const pngCard = (card: unknown, keyword = 'ccv3') => png(cardChunk(keyword, card));
const haruhiZip = () => zipSync(Object.fromEntries(readPackFolder('haruhi').map((f) => [f.path, f.bytes])));

describe('ImportJob', () => {
  it.skipIf(!haveFixtures)('imports a PNG card and a real ChatHaruhi zip, each with its own result', async () => {
    const results = await job.importFiles([
      { name: 'aria.png', bytes: pngCard(richV3()) },
      { name: 'haruhi.zip', bytes: haruhiZip() },
    ]);
    expect(results.map((r) => [r.file, r.status])).toEqual([
      ['aria.png', 'imported'],
      ['haruhi.zip', 'warnings'],
    ]);
    // The real pack carries files that are not stories; each is named.
    expect(results[1].warnings.length).toBeGreaterThan(0);
    expect(results[1].warnings.every((w) => w.startsWith('haruhi/'))).toBe(true);
    // Named from the pack's own system prompt (你正在扮演凉宫春日), not from its folder.
    expect(results[1].characters).toEqual([expect.objectContaining({ name: '凉宫春日', scenes: 172 })]);

    const aria = characters.find((c) => c.name.startsWith('Aria'))!;
    expect(aria.origin).toBe('import');
    expect(aria.firstMessage).toContain('Hello, {{user}}!');
    expect(aria.alternateGreetings).toEqual(['Hi there.', 'Oh, you again.']);
    expect(aria.creatorNotes).toContain('Made for testing.');
    expect(aria.lorebook?.entries.map((e) => e.keys[0])).toEqual(['forest', '/ranger(s)?/i']);
    expect(aria.avatar).toMatch(/^data:image\/png;base64,/);

    const haruhi = characters.find((c) => c.name === '凉宫春日')!;
    expect(haruhi.systemPrompt).toContain('凉宫春日');
    expect(haruhi.language).toBe('zh');
    const scenes = await repos.scenes.listForCharacter(haruhi.id);
    expect(scenes).toHaveLength(172);
    expect(scenes.every((s) => s.source === 'chatharuhi' && s.lines.length > 0)).toBe(true);
    // Stored in the pack's own order (story files by name), which is the corpus view's order.
    expect(scenes.map((s) => s.title)).toEqual(parseChatHaruhiFolder(readPackFolder('haruhi')).scenes.map((s) => s.title));
    expect(imported).toEqual([[aria.id, haruhi.id]]);
    expect(job.running).toBe(false);
    expect(job.progress).toBeNull();
  });

  it('rejects bad files with their reason and adds nothing', async () => {
    const before = await tableCounts();
    const brokenBase64 = png(chunk('tEXt', u8(latin1('chara'), [0], latin1('!!!not*base64!!!'))));
    const results = await job.importFiles([
      { name: 'notes.txt', bytes: utf8('just some words, not a card') },
      { name: 'broken.png', bytes: brokenBase64 },
      { name: 'card.json', bytes: utf8('{"spec": "chara_card_v2", "data": {') },
      { name: 'future.json', bytes: utf8(JSON.stringify({ spec: 'chara_card_v9', data: { name: 'X' } })) },
      { name: 'empty.png', bytes: new Uint8Array(0) },
      { name: 'bomb.zip', bytes: utf8('PK\u0003\u0004 truncated') },
    ]);
    expect(results.map((r) => [r.file, r.status, r.reason])).toEqual([
      ['notes.txt', 'rejected', 'not-a-card'],
      ['broken.png', 'rejected', 'bad-base64'],
      ['card.json', 'rejected', 'invalid-json'],
      ['future.json', 'rejected', 'unsupported-version'],
      ['empty.png', 'rejected', 'not-a-card'],
      ['bomb.zip', 'rejected', 'bad-zip'],
    ]);
    expect(results.every((r) => r.message && r.message.length > 10)).toBe(true);
    expect(await tableCounts()).toEqual(before);
    expect(imported).toEqual([]);
  });

  it('rejects a zip with too many entries or too many unpacked bytes', async () => {
    const before = await tableCounts();
    const many = zip([{ name: 'texts/a.txt', data: 'Mira:「a」' }], { totalEntries: 65535 });
    const bomb = zip([{ name: 'texts/a.txt', data: 'Mira:「a」', declaredSize: 0xfffffff0 }]);
    const results = await job.importFiles([{ name: 'many.zip', bytes: many }, { name: 'bomb.zip', bytes: bomb }]);
    expect(results.map((r) => r.reason)).toEqual(['zip-too-many-entries', 'zip-too-large']);
    expect(await tableCounts()).toEqual(before);
  });

  it('lists the warnings of a card it could still import', async () => {
    const noSpec = { data: { name: 'Nameless Spec', description: 'd', first_mes: 'Hi' } };
    const [result] = await job.importFiles([{ name: 'nospec.json', bytes: utf8(JSON.stringify(noSpec)) }]);
    expect(result.status).toBe('warnings');
    expect(result.warnings.join(' ')).toMatch(/no 'spec'/);
    expect(characters.map((c) => c.name)).toEqual(['Nameless Spec']);
  });

  it('asks before importing the same card again: keep both, replace (chats move over) or skip', async () => {
    const card = () => ({ name: 'seraphina.png', bytes: pngCard(stMix(), 'chara') });
    await job.importFiles([card()]);
    const first = characters[0];
    await repos.conversations.create(makeConversation(first.id), []);

    const asked = answerWith('keep-both');
    const [kept] = await job.importFiles([card()]);
    expect(asked).toEqual(['Seraphina']);
    expect(kept.status).toBe('imported');
    expect(characters.filter((c) => c.name === 'Seraphina')).toHaveLength(2);
  });

  it('replace writes the new character, moves the chats and deletes the old one', async () => {
    await job.importFiles([{ name: 's.png', bytes: pngCard(stMix(), 'chara') }]);
    const old = characters[0];
    const chat = makeConversation(old.id);
    await repos.conversations.create(chat, []);
    const attached = storedLorebook({ extensions: {}, entries: [] }, 'lore.json', 'book-1', 1, old.id);
    await repos.lorebooks.put(attached);
    answerWith('replace');
    const updated = stMix();
    (updated.data as Record<string, unknown>).first_mes = 'A newer greeting.';
    const [result] = await job.importFiles([{ name: 's2.png', bytes: pngCard(updated, 'chara') }]);
    expect(result.status).toBe('imported');
    expect(characters).toHaveLength(1);
    expect(characters[0].id).not.toBe(old.id);
    expect(characters[0].firstMessage).toBe('A newer greeting.');
    expect((await repos.conversations.get(chat.id))?.characterId).toBe(characters[0].id);
    expect((await repos.lorebooks.get('book-1'))?.characterId).toBe(characters[0].id);
    expect(await repos.characters.get(old.id)).toBeUndefined();
  });

  it('skip leaves the stored character alone', async () => {
    await job.importFiles([{ name: 's.png', bytes: pngCard(stMix(), 'chara') }]);
    const before = await tableCounts();
    answerWith('skip');
    const [result] = await job.importFiles([{ name: 's.png', bytes: pngCard(stMix(), 'chara') }]);
    expect(result.status).toBe('skipped');
    expect(await tableCounts()).toEqual(before);
  });

  it.skipIf(!haveFixtures)('a full disk mid-import leaves the database as it was, even for a replace', async () => {
    const pack = () => ({ name: 'haruhi.zip', bytes: haruhiZip() });
    await job.importFiles([pack()]);
    const before = await tableCounts();
    const oldId = characters[0].id;
    // The 100th scene written fails as a full disk would.
    let writes = 0;
    db.scenes.hook('creating', () => {
      if (++writes === 100) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    answerWith('replace');
    const [result] = await job.importFiles([pack()]);
    expect(result.status).toBe('rejected');
    expect(result.reason).toBe('quota');
    // The message can say how much room the import needs (172 stories: tens of KB) and what is left.
    expect(result.details?.needed).toMatch(/^\d+(\.\d)? KB$/);
    expect(result.details?.free).toBe('124 MB');
    expect(await tableCounts()).toEqual(before);
    expect(await repos.characters.get(oldId)).toBeDefined();
    expect(await repos.scenes.count(oldId)).toBe(172);
    expect(imported).toHaveLength(1);
  });

  it('cancel during the save rolls the file back and reports it', async () => {
    const before = await tableCounts();
    const real = repos.imports;
    // Cancel as soon as the first chunk of scenes is written: the rest of the file must roll back.
    const cancelling = {
      commit: (batch, options = {}) =>
        real.commit(batch, {
          ...options,
          onProgress: (done, total) => {
            options.onProgress?.(done, total);
            cancellable.cancel();
          },
        }),
    } as Pick<typeof real, 'commit'> as typeof real;
    const cancellable = new ImportJob({ imports: () => cancelling, lorebooks: () => repos.lorebooks, characters: () => [], refresh: async () => {} });
    const stories = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`mira/texts/${i}.txt`, utf8(`Mira:「Story ${i}.」`)]));
    const packZip = zipSync({ 'mira/system_prompt.txt': utf8('You are Mira.'), ...stories });
    const [result] = await cancellable.importFiles([{ name: 'mira.zip', bytes: packZip }]);
    expect(result.reason).toBe('cancelled');
    expect(await tableCounts()).toEqual(before);
  });

  it('keeps a SillyTavern World Info file as a global lorebook, then attaches and disables it', async () => {
    const worldInfo = {
      entries: {
        0: { uid: 0, key: ['tavern', 'inn'], keysecondary: ['night'], content: 'The Gilded Goose never closes.', order: 50, disable: false, constant: false, selective: true, selectiveLogic: 3, position: 1, depth: 4, probability: 80, comment: 'Tavern' },
        7: { uid: 7, key: ['king'], keysecondary: [], content: 'The king is away.', order: 10, disable: true, constant: true, selective: false, selectiveLogic: 0, position: 0 },
      },
    };
    const [result] = await job.importFiles([{ name: 'Eldoria.json', bytes: utf8(JSON.stringify(worldInfo)) }]);
    expect(result).toMatchObject({ status: 'imported', lorebooks: 1, characters: [] });
    const [stored] = job.lorebooks.books;
    expect(stored.characterId).toBeUndefined();
    expect(stored.book.name).toBe('Eldoria');
    const [tavern, king] = stored.book.entries;
    expect(tavern).toMatchObject({ id: 0, keys: ['tavern', 'inn'], secondaryKeys: ['night'], insertionOrder: 50, enabled: true, selective: true, selectiveLogic: 'and-all', position: 'after_char', name: 'Tavern' });
    expect(tavern.extensions).toMatchObject({ depth: 4, probability: 80 });
    expect(king).toMatchObject({ enabled: false, constant: true, position: 'before_char', selectiveLogic: 'and-any' });

    await job.importFiles([{ name: 'a.png', bytes: pngCard(richV3()) }]);
    await job.lorebooks.attach(stored.id, characters[0].id);
    await job.lorebooks.setEnabled(stored.id, false);
    const saved = (await repos.lorebooks.get(stored.id)) as StoredLorebook;
    expect(saved).toMatchObject({ characterId: characters[0].id, enabled: false });
    await job.lorebooks.remove(stored.id);
    expect(await db.lorebooks.count()).toBe(0);
  });

  it('reads a lorebook_v3 file', async () => {
    const book = { spec: 'lorebook_v3', data: { name: 'Myths', entries: [{ keys: ['dragon'], content: 'Dragons sleep.', enabled: true, insertion_order: 1, extensions: {} }] } };
    const [result] = await job.importFiles([{ name: 'myths.json', bytes: utf8(JSON.stringify(book)) }]);
    expect(result.lorebooks).toBe(1);
    expect(job.lorebooks.books[0].book.entries[0].content).toBe('Dragons sleep.');
  });

  it('imports a ChatHaruhi JSONL pack with its vectors as little-endian Float32 scenes', async () => {
    const vector = new Float32Array(512).map((_, i) => Math.sin(i));
    const be = Buffer.alloc(512 * 4);
    vector.forEach((v, i) => be.writeFloatBE(v, i * 4));
    const rows = [
      { text: 'You are Mira.', bge_zh_s15: 'system_prompt' },
      { text: 'Mira:「Tea?」\nJun:「Please.」', bge_zh_s15: be.toString('base64') },
    ];
    const [result] = await job.importFiles([{ name: 'mira.jsonl', bytes: utf8(rows.map((r) => JSON.stringify(r)).join('\n')) }]);
    expect(result.status).toBe('imported');
    const mira = characters.find((c) => c.name === 'Mira')!; // from "You are Mira.", not the file name
    expect(mira.systemPrompt).toBe('You are Mira.');
    const [scene] = await repos.scenes.listForCharacter(mira.id);
    expect(scene.vectors[0]).toMatchObject({ model: 'Xenova/bge-small-zh-v1.5', dim: 512 });
    expect(Array.from(new Float32Array(scene.vectors[0].data))).toEqual(Array.from(vector));
  });

  it('imports a RoleLLM profile folder: description plus one scene per dialogue', async () => {
    const dialogues = [
      { act_id: 1, diag_id: 1, role: 'Sheldon Cooper', content: 'Bazinga.' },
      { act_id: 1, diag_id: 1, role: 'Leonard', content: 'Not again.' },
      { act_id: 1, diag_id: 2, role: 'Sheldon Cooper', content: 'That is my spot.' },
    ];
    const results = await job.importFolder('profiles-eng', [
      { name: 'profiles-eng/desc.json', bytes: utf8(JSON.stringify({ 'Sheldon Cooper': 'A theoretical physicist.' })) },
      { name: 'profiles-eng/profiles-eng_Sheldon Cooper.jsonl', bytes: utf8(dialogues.map((d) => JSON.stringify(d)).join('\n')) },
    ]);
    expect(results[0].characters).toEqual([expect.objectContaining({ name: 'Sheldon Cooper', scenes: 2 })]);
    expect(characters[0].description).toBe('A theoretical physicist.');
  });

  it('imports RoleBench rows (a JSON list) as one character per role', async () => {
    const rows = [
      { role: 'Jack Sparrow', question: 'Where is the rum?', generated: ['Why is the rum always gone?'] },
      { role: 'Jack Sparrow', question: 'Your ship?', generated: ['The Black Pearl, love.'] },
      { role: 'Hermione', question: 'Spell?', generated: ['Wingardium Leviosa.'] },
    ];
    const [result] = await job.importFiles([{ name: 'rolebench.json', bytes: utf8(JSON.stringify(rows)) }]);
    expect(result.characters.map((c) => [c.name, c.scenes])).toEqual([['Jack Sparrow', 2], ['Hermione', 1]]);
    const jack = await repos.scenes.listForCharacter(result.characters[0].id);
    expect(jack.find((scene) => scene.title === 'Where is the rum?')?.lines).toEqual([{ speaker: 'User', text: 'Where is the rum?' }, { speaker: 'Jack Sparrow', text: 'Why is the rum always gone?' }]);
  });

  it('imports a Hearth pack with its scenes and vectors', async () => {
    const data = new Float32Array([1, 2, 3]).buffer;
    const text = encodeHearthPack({
      character: { ...characterFields('Packed'), extensions: {} },
      assets: [],
      scenes: [{ title: 'One', text: 'A: hi', lines: [{ speaker: 'A', text: 'hi' }], tokens: 3, source: 'pack', vectors: [{ model: 'm', dim: 3, data }] }],
    });
    const [result] = await job.importFiles([{ name: 'packed.hearth.json', bytes: utf8(text) }]);
    expect(result.characters).toEqual([expect.objectContaining({ name: 'Packed', scenes: 1 })]);
    const [scene] = await repos.scenes.listForCharacter(result.characters[0].id);
    expect(Array.from(new Float32Array(scene.vectors[0].data))).toEqual([1, 2, 3]);
  });

  it('imports a CHARX archive: the icon becomes the avatar, other assets are kept with their bytes', async () => {
    const icon = encodeSolidPng(3, 3, [10, 200, 30, 255]);
    const background = encodeSolidPng(4, 2, [1, 2, 3, 255]);
    const card = {
      spec: 'chara_card_v3',
      spec_version: '3.0',
      data: {
        name: 'Zip Zara', description: 'Lives in an archive.', first_mes: 'Unzip me.',
        assets: [
          { type: 'icon', uri: 'embeded://assets/icon/images/main.png', name: 'main', ext: 'png' },
          { type: 'background', uri: 'embeded://assets/background/images/forest.png', name: 'forest', ext: 'png' },
        ],
      },
    };
    const archive = zip([
      { name: 'card.json', data: JSON.stringify(card) },
      { name: 'assets/icon/images/main.png', data: icon, method: 0 },
      { name: 'assets/background/images/forest.png', data: background },
    ]);
    const [result] = await job.importFiles([{ name: 'zara.charx', bytes: archive }]);
    expect(result.status).toBe('imported');
    const zara = (await repos.characters.get(result.characters[0].id))!;
    expect(zara.avatar).toBe(`data:image/png;base64,${Buffer.from(icon).toString('base64')}`);
    expect(zara.assets).toEqual([expect.objectContaining({ type: 'background', name: 'forest', data: background, mime: 'image/png' })]);
  });

  it('reads dropped File objects too', async () => {
    const file = new File([new Uint8Array(pngCard(richV3()))], 'aria.png', { type: 'image/png' });
    const [result] = await job.importFiles([file]);
    expect(result.status).toBe('imported');
  });
});

function characterFields(name: string) {
  return {
    name, nickname: '', avatar: '', shortDescription: '', description: 'd', personality: '', scenario: '', firstMessage: 'Hi',
    alternateGreetings: [], exampleDialogue: '', systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [],
    creator: '', characterVersion: '', catchphrases: [], language: 'en' as const,
  };
}

describe('the import worker protocol', () => {
  it('carries a failure as plain fields and turns it back into the same reason', () => {
    const { reply, transfer } = runImportRead({ kind: 'file', file: { name: 'x.json', bytes: utf8('{"spec":"chara_card_v9","data":{"name":"X"}}') } });
    expect(structuredClone(reply)).toEqual(reply);
    expect(transfer).toEqual([]);
    expect(() => unwrapReply(structuredClone(reply))).toThrow(expect.objectContaining({ reason: 'unsupported-version' }));
  });

  it('hands vector buffers over for transfer instead of copying them', () => {
    const be = Buffer.alloc(512 * 4);
    const rows = [{ text: 'Mira:「Tea?」', bge_zh_s15: be.toString('base64') }, { text: 'Jun:「Yes.」', bge_zh_s15: be.toString('base64') }];
    const { reply, transfer } = runImportRead({ kind: 'file', file: { name: 'm.jsonl', bytes: utf8(rows.map((r) => JSON.stringify(r)).join('\n')) } });
    expect(transfer).toHaveLength(2);
    expect(unwrapReply(reply).characters[0].scenes.map((s) => s.vectors[0].data)).toEqual(transfer);
  });
});
