// A ChatHaruhi character is named from its own text, not from the pack's folder name
// (`zhongli`, `weixiaobao`): the system prompt's name for the role, else the speaker of most lines.

import { describe, expect, it } from 'vitest';
import { characterName, parseChatHaruhiFolder, parseStory } from '../../../../src/core/packs/chatharuhi';
import { readImportFolder } from '../../../../src/core/import/read-file';
import { haveFixtures, readPackFolder, utf8 } from './helpers';

const story = (text: string) => ({ lines: parseStory(text) });

describe('characterName', () => {
  it('takes the name the system prompt gives the role, in each way ChatHaruhi prompts say it', () => {
    const scenes = [story('阿虚:「喂」\n某人:「嗯」')];
    expect(characterName('你正在扮演钟离，你正在cosplay钟离。', scenes)).toBe('钟离');
    expect(characterName("Please be aware that your codename in this  conversation is ‘韦小宝'  ‘Wei’,", scenes)).toBe('韦小宝');
    expect(characterName('I want you to act like Hermione Granger from Harry Potter.', scenes)).toBe('Hermione Granger');
    expect(characterName('You are Mira.\nStay in character.', scenes)).toBe('Mira');
    expect(characterName('You are Mira\nStay in character.', scenes)).toBe('Mira');
  });

  it('uses the stories’ label when the prompt’s name begins with it, so the reply marker matches the scenes', () => {
    expect(characterName('I want you to act like Sheldon Cooper from Big Bang Theory.', [story('Sheldon:「Bazinga.」\nPenny:「Ugh.」\nSheldon:「Hi.」')])).toBe('Sheldon');
  });

  it('falls back to the speaker of most lines, narrators left out, and to nothing when no one speaks', () => {
    const scenes = [story('旁白:夜里\n旁白:风\n旁白:雨\n小满:「茶要趁热。」\n阿青:「好。」\n小满:「慢点喝。」')];
    expect(characterName('请用古风的语气回答。', scenes)).toBe('小满');
    // "你是…" describes as often as it names: the stories' speaker is the safer name.
    expect(characterName('你是守夜人小满，说话简短。', scenes)).toBe('小满');
    expect(characterName('', [story('Narration only, nobody talks.')])).toBe('');
  });

  it('names the imported character by it instead of the folder, and by the folder when the text names no one', () => {
    const files = (prompt: string, text: string) => [
      { path: 'zhongli/system_prompt.txt', bytes: utf8(prompt) },
      { path: 'zhongli/texts/a.txt', bytes: utf8(text) },
    ];
    expect(readImportFolder('zhongli', files('你正在扮演钟离', '旅行者:「你好」')).characters[0].character.name).toBe('钟离');
    expect(readImportFolder('zhongli', files('', '旁白:一片寂静')).characters[0].character.name).toBe('zhongli');
  });
});

describe.skipIf(!haveFixtures)('on the visible ChatHaruhi packs', () => {
  it.each([
    ['haruhi', '凉宫春日'],
    ['Sheldon', 'Sheldon'],
    ['hutao', '胡桃'],
    ['tangshiye', '汤师爷'],
  ] as const)('%s is named %s', (pack, name) => {
    expect(parseChatHaruhiFolder(readPackFolder(pack)).characterName).toBe(name);
  });
});
