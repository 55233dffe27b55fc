// A character and turn builders shared by the prompt builders' tests.

import type { CharacterFields, ChatTurn } from '../../../src/core/types';

export function testCharacter(overrides: Partial<CharacterFields> = {}): CharacterFields {
  return {
    name: 'Haruhi',
    nickname: '',
    avatar: '',
    shortDescription: '',
    description: '{{char}} is the brigade chief who drags {{user}} into adventures.',
    personality: 'Energetic, bossy, secretly kind.',
    scenario: 'After school in the club room.',
    firstMessage: 'Hey {{user}}! You are late!',
    alternateGreetings: [],
    exampleDialogue: '<START>\n{{user}}: Hi.\n{{char}}: Finally! Sit down.\n<START>\n<USER>: What now?\n<BOT>: Aliens, obviously.',
    systemPrompt: '',
    postHistoryInstructions: '',
    creatorNotes: 'never sent',
    tags: ['secret-tag'],
    creator: 'someone',
    characterVersion: '1',
    catchphrases: ['Boring!', 'Aliens, time travellers, espers!'],
    language: 'en',
    ...overrides,
  };
}

export const user = (content: string): ChatTurn => ({ role: 'user', content });
export const assistant = (content: string): ChatTurn => ({ role: 'assistant', content });
