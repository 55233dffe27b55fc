import { describe, expect, it } from 'vitest';
import {
  answerDropReason,
  materialMentionsAi,
  NearDuplicates,
  questionDropReason,
  textLanguage,
  type AnswerCheck,
} from '../../../../src/core/dialogue-gen/filters';

const good = { question: 'What do you do after school?', confidence: 8, completeness: 9 };

describe('questionDropReason', () => {
  it('keeps a good question', () => {
    expect(questionDropReason(good, 'en')).toBeNull();
    expect(questionDropReason({ ...good, question: '你放学后通常做什么？' }, 'zh')).toBeNull();
  });

  it('drops low confidence, then low completeness', () => {
    expect(questionDropReason({ ...good, confidence: 5 }, 'en')).toBe('low-confidence');
    expect(questionDropReason({ ...good, completeness: 2 }, 'en')).toBe('low-completeness');
  });

  it('drops a question in the wrong language', () => {
    expect(questionDropReason(good, 'zh')).toBe('wrong-language');
    expect(questionDropReason({ ...good, question: '你放学后通常做什么？' }, 'en')).toBe('wrong-language');
  });

  it('drops questions too short or too long', () => {
    expect(questionDropReason({ ...good, question: 'Why?' }, 'en')).toBe('too-short');
    expect(questionDropReason({ ...good, question: `Why ${'really '.repeat(100)}?` }, 'en')).toBe('too-long');
  });
});

describe('answerDropReason', () => {
  const en: AnswerCheck = { kind: 'world', lang: 'en', aiIsInCharacter: false };
  const zh: AnswerCheck = { kind: 'world', lang: 'zh', aiIsInCharacter: false };

  it('keeps an in-character answer', () => {
    expect(answerDropReason('I drag Kyon to the club room, obviously.', en)).toBeNull();
    expect(answerDropReason('当然是把阿虚拖到社团教室去！', zh)).toBeNull();
  });

  it('drops answers in the wrong language, too short, too long', () => {
    expect(answerDropReason('当然是把阿虚拖到社团教室去！', en)).toBe('wrong-language');
    expect(answerDropReason('Yes.', en)).toBe('too-short');
    expect(answerDropReason('la '.repeat(400), en)).toBe('too-long');
  });

  it('drops answers that speak as an AI, in English or Chinese', () => {
    expect(answerDropReason("As an AI language model, I don't go to school.", en)).toBe('breaks-character');
    expect(answerDropReason('I’m an AI, so I have no club.', en)).toBe('breaks-character');
    expect(answerDropReason('作为一个人工智能，我没有放学时间。', zh)).toBe('breaks-character');
    expect(answerDropReason('我只是一个语言模型，没有社团。', zh)).toBe('breaks-character');
  });

  it('does not mistake words that merely contain the phrase', () => {
    expect(answerDropReason('I said so, and I am an aide to the brigade chief!', en)).toBeNull();
  });

  it('lets a character whose own material is an AI talk about it', () => {
    expect(materialMentionsAi(['Yuki is an artificial intelligence made by the Data Entity.'])).toBe(true);
    expect(materialMentionsAi(['A girl who wants to meet aliens.'])).toBe(false);
    expect(answerDropReason('I am an AI, made by the Data Entity.', { ...en, aiIsInCharacter: true })).toBeNull();
  });

  it('drops an out-of-world answer that does not deflect, keeps one that does', () => {
    const out: AnswerCheck = { kind: 'out-of-world', lang: 'en', aiIsInCharacter: false };
    expect(answerDropReason('A smartphone is a pocket computer with a touch screen.', out)).toBe('not-deflected');
    expect(answerDropReason("A smart-what? I've never heard of such a thing.", out)).toBeNull();
    expect(answerDropReason('I don’t know what that is, and I do not care!', out)).toBeNull();
    const outZh: AnswerCheck = { kind: 'out-of-world', lang: 'zh', aiIsInCharacter: false };
    expect(answerDropReason('智能手机就是带触摸屏的电脑。', outZh)).toBe('not-deflected');
    expect(answerDropReason('智能手机？我从没听说过这种东西。', outZh)).toBeNull();
  });
});

describe('textLanguage', () => {
  it('reads the dominant script, a Latin name inside Chinese staying Chinese', () => {
    expect(textLanguage('我是Haruhi，SOS团团长。')).toBe('zh');
    expect(textLanguage('I am the chief of the SOS 团.')).toBe('en');
    expect(textLanguage('こんにちは')).toBe('other');
    expect(textLanguage('Привет, как дела')).toBe('other');
    expect(textLanguage('!!!')).toBe('other');
  });
});

describe('NearDuplicates', () => {
  it('drops a line whose Rouge-L F against an existing line is above 0.7', () => {
    // "the cat sat on the mat" vs existing "the cat was on the mat today": f = 10/13 ≈ 0.77 > 0.7
    const seen = new NearDuplicates(['the cat was on the mat today']);
    expect(seen.isDuplicate('The cat sat on the mat!')).toBe(true);
    // "a b c d" vs "a x b y d": f = 2/3 < 0.7
    expect(new NearDuplicates(['a x b y d']).isDuplicate('a b c d')).toBe(false);
  });

  it('remembers each kept line, so a second near copy is a duplicate of the first', () => {
    const seen = new NearDuplicates([]);
    expect(seen.checkAndAdd('I will find aliens before summer ends.')).toBe(false);
    expect(seen.checkAndAdd('I will find the aliens before summer ends!')).toBe(true);
    expect(seen.checkAndAdd('Mikuru, put on the bunny costume.')).toBe(false);
  });
});
