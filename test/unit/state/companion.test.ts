// Ratings, personas and reading aloud through the app's state, against a real (fake-indexeddb) database.

import { describe, expect, it } from 'vitest';
import { checkRows } from '../../../src/core/row-schemas';
import type { Character } from '../../../src/core/types';
import type { DeviceVoice, Speech, Utterance } from '../../../src/platform/speech';
import { CharacterEditor } from '../../../src/state/character-editor.svelte';
import { PersonaDraft } from '../../../src/state/persona-draft.svelte';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { appWithRepos, savedChat, type TestApp } from '../helpers/test-app';
import { ScriptedEngine } from '../helpers/scripted-engine';

const mira: Character = {
  id: 'mira', origin: 'user', name: 'Mira', nickname: '', avatar: '', shortDescription: '', description: 'Keeps a lighthouse.',
  personality: '', scenario: '', firstMessage: 'Who goes there?', alternateGreetings: [], exampleDialogue: '',
  systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [],
  language: 'en', extensions: {}, createdAt: 0, updatedAt: 0,
};

/** A speech synthesis that records what it was asked to say and ends each utterance when told. */
class RecordingSpeech implements Speech {
  spoken: Utterance[] = [];
  cancels = 0;
  #ends: (() => void)[] = [];
  constructor(private readonly deviceVoices: DeviceVoice[] = []) {}
  voices(): DeviceVoice[] {
    return this.deviceVoices;
  }
  onVoicesChanged(): () => void {
    return () => {};
  }
  speak(utterance: Utterance, ended: () => void): void {
    this.spoken.push(utterance);
    this.#ends.push(ended);
  }
  cancel(): void {
    this.cancels++;
    for (const end of this.#ends.splice(0)) end();
  }
  /** The device finishes everything queued. */
  finishAll(): void {
    for (const end of this.#ends.splice(0)) end();
  }
}

const engine = new ScriptedEngine();

async function startedApp(speech: Speech | null = null): Promise<TestApp> {
  const app = appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(`companion-${crypto.randomUUID()}`)),
    loadBuiltinPacks: async () => [],
    engines: { createEngine: async () => engine, probeGpu: async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' }) },
    speech,
  });
  await app.start();
  await app.characterShelf.create(mira);
  return app;
}

async function chatWithReply(app: TestApp, pieces = ['Come in, ', 'friend.'], gate?: () => Promise<void>) {
  await app.models.load({ kind: 'gguf-file', file: new File([], 'tiny.gguf'), name: 'tiny.gguf' });
  const session = (await app.openChat(await savedChat(app, 'mira')))!;
  engine.replies.push({ pieces, gate });
  await session.send('Hello?');
  return session;
}

describe('ratings', () => {
  it('keeps stars with the reply they were given to, each swipe its own, across a reopen', async () => {
    const app = await startedApp();
    const session = await chatWithReply(app);
    const first = session.path.at(-1)!;
    await session.rate(first.id, 2);
    engine.replies.push({ pieces: ['Go away.'] });
    await session.regenerate(first.id);
    const second = session.path.at(-1)!;
    await session.rate(second.id, 4);

    app.closeChat();
    const reopened = (await app.openChat(session.conversation!.id))!;
    expect(reopened.tree.get(first.id)?.rating).toBe(2);
    expect(reopened.tree.get(second.id)?.rating).toBe(4);
    // The stored rows pass the backup check, and a rating outside 1-4 does not.
    const stored = await app.repos.conversations.messages(session.conversation!.id);
    expect(checkRows('messages', stored)).toBeNull();
    expect(checkRows('messages', [{ ...stored[0], rating: 5 }])?.field).toBe('rating');
  });

  it('takes stars away on request, and an edit clears them (they were for the old text)', async () => {
    const app = await startedApp();
    const session = await chatWithReply(app);
    const reply = session.path.at(-1)!;
    await session.rate(reply.id, 3);
    await session.rate(reply.id, null);
    expect((await app.repos.conversations.getMessage(reply.id))?.rating).toBeUndefined();
    await session.rate(reply.id, 1);
    await session.edit(reply.id, 'Come in.', reply.content);
    const edited = await app.repos.conversations.getMessage(reply.id);
    expect(edited?.rating).toBeUndefined();
    expect(edited?.revisions).toEqual(['Come in, friend.']);
  });

  it('lists rated replies for export with the line each one answers', async () => {
    const app = await startedApp();
    const session = await chatWithReply(app);
    await session.rate(session.path.at(-1)!.id, 4);
    await session.rate(session.path[0].id, 1); // the greeting answers nothing: not rated
    const rows = await app.conversations.ratedReplies('mira');
    expect(rows.map(({ prompt, reply, stars }) => ({ prompt, reply, stars }))).toEqual([{ prompt: 'Hello?', reply: 'Come in, friend.', stars: 4 }]);
  });
});

describe('personas', () => {
  it('keeps several personas with pictures, the first the default, another made default, a deleted default replaced', async () => {
    const app = await startedApp();
    const ana = new PersonaDraft(app.profile, null);
    expect(await ana.save()).toBe(false); // no name
    ana.name = ' Ana ';
    ana.description = 'A sailor.';
    ana.avatar = 'data:image/png;base64,AAAA';
    expect(await ana.save()).toBe(true);
    const bo = new PersonaDraft(app.profile, null);
    bo.name = 'Bo';
    await bo.save();
    expect(app.profile.personas.map((p) => [p.name, p.isDefault, p.avatar])).toEqual([['Ana', true, 'data:image/png;base64,AAAA'], ['Bo', false, undefined]]);
    expect(app.personaForPrompt.name).toBe('Ana');

    // Edited: a new description, the picture removed.
    const edit = new PersonaDraft(app.profile, app.profile.personas[0]);
    edit.description = 'A sailor, retired.';
    edit.avatar = '';
    expect(await edit.save()).toBe(true);
    expect(app.profile.personas[0]).toMatchObject({ name: 'Ana', description: 'A sailor, retired.', isDefault: true });
    expect(app.profile.personas[0].avatar).toBeUndefined();
    // Saved elsewhere since this edit began: refused, nothing written.
    const stale = new PersonaDraft(app.profile, edit.base);
    stale.name = 'Anna';
    expect(await stale.save()).toBe(false);
    expect(stale.error).toMatchObject({ code: 'persona-conflict' });
    expect(app.profile.personas[0].name).toBe('Ana');

    await app.profile.makeDefault(app.profile.personas[1]);
    expect(app.personaForPrompt.name).toBe('Bo');
    await app.profile.removePersona(app.profile.personas.find((p) => p.name === 'Bo')!.id);
    expect(app.profile.personas.map((p) => [p.name, p.isDefault])).toEqual([['Ana', true]]);
    expect(checkRows('personas', await app.repos.personas.list())).toBeNull();
  });

  it('writes each chat as its chosen persona: the prompt and the name on messages follow a switch, and it is stored', async () => {
    const app = await startedApp();
    for (const [name, description] of [['Ana', 'A sailor from the mainland.'], ['Bo', 'A lost painter.']]) {
      const draft = new PersonaDraft(app.profile, null);
      draft.name = name;
      draft.description = description;
      await draft.save();
    }
    const bo = app.profile.personas.find((p) => p.name === 'Bo')!;
    const session = await chatWithReply(app);
    expect(session.persona.name).toBe('Ana');
    expect(engine.calls.at(-1)!.messages[0].content).toContain('A sailor from the mainland.');

    await session.setPersona(bo.id);
    expect(session.persona).toMatchObject({ id: bo.id, name: 'Bo' });
    engine.replies.push({ pieces: ['Welcome.'] });
    await session.send('It is me, {{user}}.');
    const system = engine.calls.at(-1)!.messages[0].content;
    expect(system).toContain('A lost painter.');
    expect(system).not.toContain('A sailor from the mainland.');
    expect((await app.repos.conversations.get(session.conversation!.id))?.personaId).toBe(bo.id);
    // Deleted since: the chat falls back to the default persona.
    await app.profile.removePersona(bo.id);
    expect(session.persona.name).toBe('Ana');
  });

  it('starts new chats with the persona the character was given in the editor', async () => {
    const app = await startedApp();
    for (const name of ['Ana', 'Bo']) {
      const draft = new PersonaDraft(app.profile, null);
      draft.name = name;
      await draft.save();
    }
    const bo = app.profile.personas.find((p) => p.name === 'Bo')!;
    const editor = new CharacterEditor(app, app.character('mira')!);
    editor.personaId = bo.id;
    expect(editor.dirty).toBe(true);
    await editor.save();
    expect(app.character('mira')?.personaId).toBe(bo.id);
    const session = (await app.openChat(app.conversations.draft('mira')))!;
    expect(session.persona.name).toBe('Bo');
  });
});

describe('reading aloud', () => {
  const voices: DeviceVoice[] = [
    { voiceURI: 'en-remote', name: 'Remote English', lang: 'en-US', local: false },
    { voiceURI: 'zh-local', name: 'Tingting', lang: 'zh-CN', local: true },
    { voiceURI: 'en-local', name: 'Daniel', lang: 'en-GB', local: true },
  ];

  it('offers the voices of the character’s language, offline ones first, and keeps the chosen one with the character', async () => {
    const speech = new RecordingSpeech(voices);
    const app = await startedApp(speech);
    expect(app.voice.voicesFor('en').map((v) => v.voiceURI)).toEqual(['en-local', 'en-remote']);
    expect(app.voice.voicesFor('zh').map((v) => v.voiceURI)).toEqual(['zh-local']);
    const editor = new CharacterEditor(app, app.character('mira')!);
    editor.chooseVoice(voices[2]);
    editor.voice!.rate = 1.3;
    await editor.save();
    expect(app.character('mira')?.voice).toEqual({ voiceURI: 'en-local', name: 'Daniel', lang: 'en-GB', rate: 1.3, pitch: 1 });
    expect(checkRows('characters', await app.repos.characters.list())).toBeNull();

    app.voice.read('greeting', '*bows* Who goes there? Speak up.', app.character('mira')!);
    expect(speech.spoken).toEqual([
      { text: 'Who goes there?', voiceURI: 'en-local', lang: 'en-GB', rate: 1.3, pitch: 1 },
      { text: 'Speak up.', voiceURI: 'en-local', lang: 'en-GB', rate: 1.3, pitch: 1 },
    ]);
    expect(app.voice.reading).toBe('greeting');
    speech.finishAll();
    expect(app.voice.reading).toBeNull();
  });

  it('with auto-read on, speaks a streaming reply sentence by sentence; Stop cancels the rest', async () => {
    const speech = new RecordingSpeech(voices);
    const app = await startedApp(speech);
    await app.voice.setAutoRead(true);
    // The third piece is written only once the first sentence was spoken: reading keeps up with the stream.
    let piece = 0;
    const spokenBeforeThirdPiece = async () => {
      if (++piece !== 3) return;
      while (speech.spoken.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const session = await chatWithReply(app, ['Come in. ', 'The lamp ', 'is lit! ', 'Sit'], spokenBeforeThirdPiece);
    expect(speech.spoken.map((u) => u.text)).toEqual(['Come in.', 'The lamp is lit!', 'Sit']);
    expect(speech.spoken[0]).toMatchObject({ lang: 'en-US', rate: 1, pitch: 1 });

    app.voice.read(session.path.at(-1)!.id, session.path.at(-1)!.content, mira);
    expect(app.voice.reading).toBe(session.path.at(-1)!.id);
    app.voice.stop();
    expect(speech.cancels).toBeGreaterThan(0);
    expect(app.voice.reading).toBeNull();

    await app.voice.setAutoRead(false);
    speech.spoken = [];
    engine.replies.push({ pieces: ['Quiet now.'] });
    await session.send('Shh.');
    expect(speech.spoken).toEqual([]);
  });

  it('Stop mid-reply leaves the rest of that reply unread, and a message read on request is not cut off by it', async () => {
    const speech = new RecordingSpeech(voices);
    const app = await startedApp(speech);
    await app.voice.setAutoRead(true);
    let piece = 0;
    const stopAfterFirstSentence = async () => {
      if (++piece !== 3) return;
      while (speech.spoken.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      app.voice.stop();
    };
    const session = await chatWithReply(app, ['Come in. ', 'The lamp ', 'is lit! ', 'Sit down.'], stopAfterFirstSentence);
    expect(speech.spoken.map((u) => u.text)).toEqual(['Come in.']);

    let release: () => void = () => {};
    engine.replies.push({ pieces: ['One. ', 'Two. ', 'Three ', 'four.'], gate: () => (piece++ === 3 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()) });
    piece = 0;
    const sending = session.send('Count.');
    while (!speech.spoken.some((u) => u.text === 'Two.')) await new Promise((resolve) => setTimeout(resolve, 5));
    app.voice.read('greeting', 'Who goes there?', mira);
    release();
    await sending;
    expect(speech.spoken.map((u) => u.text).slice(1)).toEqual(['One.', 'Two.', 'Who goes there?']);
    expect(app.voice.reading).toBe('greeting');
  });

  it("reads each member's reply in that member's own voice", async () => {
    const speech = new RecordingSpeech(voices);
    const app = await startedApp(speech);
    await app.characterShelf.update({ ...app.character('mira')!, voice: { voiceURI: 'en-local', name: 'Daniel', lang: 'en-GB', rate: 1.3, pitch: 1 } }, app.character('mira')!);
    await app.characterShelf.create({ ...mira, id: 'bo', name: 'Bo', voice: undefined });
    await app.characterShelf.create({ ...mira, id: 'pair', name: 'Pair', firstMessage: '', group: { members: ['mira', 'bo'], mode: 'manual', greetingFrom: 'bo' } });
    await app.voice.setAutoRead(true);
    await app.models.load({ kind: 'gguf-file', file: new File([], 'tiny.gguf'), name: 'tiny.gguf' });
    const session = (await app.openChat(await savedChat(app, 'pair')))!;
    engine.replies.push({ pieces: ['Mira speaks.'] });
    await session.replyAs('mira');
    expect(speech.spoken).toEqual([{ text: 'Mira speaks.', voiceURI: 'en-local', lang: 'en-GB', rate: 1.3, pitch: 1 }]);
  });

  it('has nothing to offer where the browser cannot speak', async () => {
    const app = await startedApp(null);
    expect(app.voice.available).toBe(false);
    await app.voice.setAutoRead(true);
    expect(app.voice.autoRead).toBe(false);
  });
});
