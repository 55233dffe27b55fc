// Ratings, personas with pictures, characters' voices and default personas, and each chat's persona
// survive a backup and its restore.

import { describe, expect, it } from 'vitest';
import { readBackup } from '../../../src/core/backup';
import type { Character, Conversation, Message, Persona } from '../../../src/core/types';
import { BACKUP_META, databasesClosedAfterEach, makeChain, makeCharacter, makeConversation, makePersona } from './helpers';

const open = databasesClosedAfterEach();

describe('backup of ratings, voices and personas', () => {
  it('keeps every new field through a backup and a replace restore', async () => {
    const source = await open();
    const voice = { voiceURI: 'Daniel', name: 'Daniel', lang: 'en-GB', rate: 1.2, pitch: 0.9 };
    await source.repos.characters.put(makeCharacter({ id: 'alice', personaId: 'bo', voice }));
    await source.repos.personas.put(makePersona({ id: 'bo', name: 'Bo', avatar: 'data:image/png;base64,AAAA', isDefault: true }));
    const messages = makeChain('k', 2).map((m, i): Message => (m.role === 'assistant' ? { ...m, rating: i === 0 ? 4 : 1 } : m));
    await source.repos.conversations.create(makeConversation('alice', { id: 'k', personaId: 'bo' }), messages);
    const rated = messages.filter((m) => m.rating !== undefined).map((m) => [m.id, m.rating]);
    expect(rated.length).toBeGreaterThan(0);

    const target = await open();
    await target.repos.backup.restore(readBackup((await source.repos.backup.create(BACKUP_META)).bytes), 'replace');
    expect(((await target.repos.characters.get('alice')) as Character)).toMatchObject({ personaId: 'bo', voice });
    expect(((await target.repos.personas.get('bo')) as Persona).avatar).toBe('data:image/png;base64,AAAA');
    expect(((await target.repos.conversations.get('k')) as Conversation).personaId).toBe('bo');
    const restored = await target.repos.conversations.messages('k');
    expect(restored.filter((m) => m.rating !== undefined).map((m) => [m.id, m.rating])).toEqual(rated);
  });

  it('refuses a backup whose voice speed is out of range, naming the field', async () => {
    const source = await open();
    await source.repos.characters.put(makeCharacter({ id: 'alice', voice: { voiceURI: 'x', name: 'x', lang: 'en', rate: 9, pitch: 1 } }));
    const bytes = (await source.repos.backup.create(BACKUP_META)).bytes;
    expect(() => readBackup(bytes)).toThrow(/voice\.rate/);
  });
});
