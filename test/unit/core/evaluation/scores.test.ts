import { describe, expect, it } from 'vitest';
import {
  choicesFor, cosine, identityChoices, identityMessages, identitySchema, nearestCosine, outOfCharacterMarkers, parseIdentityPick, replyLength,
} from '../../../../src/core/evaluation/scores';

const v = (...values: number[]) => new Float32Array(values);

describe('cosine scores', () => {
  it('is the cosine of the angle between reply and reference (worked by hand)', () => {
    expect(cosine(v(1, 0), v(1, 0))).toBeCloseTo(1, 6);
    expect(cosine(v(1, 0), v(0, 1))).toBeCloseTo(0, 6);
    expect(cosine(v(1, 0), v(1, 1))).toBeCloseTo(Math.SQRT1_2, 6);
    expect(cosine(v(3, 4), v(-3, -4))).toBeCloseTo(-1, 6);
    // Not normalised: 1·2 + 2·1 = 4 over √5·√5 = 0.8.
    expect(cosine(v(1, 2), v(2, 1))).toBeCloseTo(0.8, 6);
  });

  it('is 0 for an empty vector or vectors of different models (sizes)', () => {
    expect(cosine(v(0, 0), v(1, 1))).toBe(0);
    expect(cosine(v(1, 0, 0), v(1, 0))).toBe(0);
  });

  it('compares a reply with the nearest of the character\'s own lines', () => {
    expect(nearestCosine(v(1, 0), [v(0, 1), v(1, 1), v(-1, 0)])).toBeCloseTo(Math.SQRT1_2, 6);
    expect(nearestCosine(v(1, 0), [])).toBeUndefined();
  });
});

describe('out-of-character markers and length', () => {
  it('counts mentions of being an AI in English and Chinese, once per place', () => {
    expect(outOfCharacterMarkers('As an AI language model, I cannot feel. I am an AI.')).toBe(2);
    expect(outOfCharacterMarkers('作为一个人工智能，我不能回答。我是AI助手。')).toBe(2);
    expect(outOfCharacterMarkers('The airship sails at dawn; my main concern is the rain.')).toBe(0);
    expect(outOfCharacterMarkers('本座今日心情甚好。')).toBe(0);
  });

  it('measures length in characters, a Chinese character or an emoji counting once', () => {
    expect(replyLength('  Hello!  ')).toBe(6);
    expect(replyLength('你好😀')).toBe(3);
  });
});

describe('identity check', () => {
  it('offers the character and three others from the library, stand-ins filling a small one', () => {
    const choices = identityChoices('Mira', ['Mira', 'Tom', '  '], 'en', 'run');
    expect(choices[0]).toBe('Mira');
    expect(choices).toHaveLength(4);
    expect(new Set(choices).size).toBe(4);
    expect(choices).toContain('Tom');
    const many = identityChoices('Mira', ['A', 'B', 'C', 'D', 'E'], 'en', 'run');
    expect(many.slice(1).every((n) => ['A', 'B', 'C', 'D', 'E'].includes(n))).toBe(true);
    expect(identityChoices('Mira', ['A', 'B', 'C', 'D', 'E'], 'en', 'run')).toEqual(many);
  });

  it('shows each question the same names in its own order, so the right one is not always first', () => {
    const choices = ['Mira', 'A', 'B', 'C'];
    const orders = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'].map((id) => choicesFor(choices, id));
    for (const order of orders) expect([...order].sort()).toEqual([...choices].sort());
    expect(new Set(orders.map((o) => o.indexOf('Mira'))).size).toBeGreaterThan(1);
  });

  it('holds the judge to a JSON object whose speaker is one of the four names', () => {
    expect(identitySchema(['Mira', 'A', 'B', 'C'])).toEqual({
      type: 'object', properties: { speaker: { type: 'string', enum: ['Mira', 'A', 'B', 'C'] } }, required: ['speaker'],
    });
  });

  it('asks in the character\'s language with every name', () => {
    const [system, user] = identityMessages('你是谁？', '本座乃汤师爷。', ['汤师爷', '孙悟空', '林黛玉', '诸葛亮'], 'zh');
    expect(system.role).toBe('system');
    expect(user.content).toContain('汤师爷、孙悟空、林黛玉、诸葛亮');
    expect(user.content).toContain('本座乃汤师爷。');
  });

  it('reads the pick from grammar-constrained JSON, or from free text on engines without a grammar', () => {
    const choices = ['Anna', 'Anna Karenina', 'Tom', 'Eve'];
    expect(parseIdentityPick('{"speaker": "Tom"}', choices)).toBe('Tom');
    expect(parseIdentityPick('{ "speaker" : "Anna Karenina" }', choices)).toBe('Anna Karenina');
    // Not one of the choices: no pick from the JSON, and the text names none.
    expect(parseIdentityPick('{"speaker": "Bob"}', choices)).toBeNull();
    expect(parseIdentityPick('I think it was Eve, not Tom.', choices)).toBe('Eve');
    expect(parseIdentityPick('Surely Anna Karenina.', choices)).toBe('Anna Karenina');
    expect(parseIdentityPick('no idea', choices)).toBeNull();
  });
});
