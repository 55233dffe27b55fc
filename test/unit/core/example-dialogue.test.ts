import { describe, expect, it } from 'vitest';
import { formatExampleDialogue, parseExampleDialogue } from '../../../src/core/example-dialogue';
import type { Exchange } from '../../../src/core/types';

describe('formatExampleDialogue', () => {
  it('writes one <START> block per exchange in card mes_example form', () => {
    const text = formatExampleDialogue([
      { user: 'Hello there.', char: '*waves* "Hi!"' },
      { user: 'How are you?', char: '"Splendid."' },
    ]);
    expect(text).toBe(
      '<START>\n{{user}}: Hello there.\n{{char}}: *waves* "Hi!"\n' +
        '<START>\n{{user}}: How are you?\n{{char}}: "Splendid."',
    );
  });

  it('writes nothing for no exchanges', () => {
    expect(formatExampleDialogue([])).toBe('');
    expect(parseExampleDialogue('')).toEqual([]);
  });
});

describe('format then parse', () => {
  it('gives back the same exchanges, including multi-line turns and Chinese text', () => {
    const exchanges: Exchange[] = [
      { user: 'One line.', char: 'Also one line.' },
      { user: 'First line\nsecond line', char: '*pauses*\n\n"After a blank line."\nAnd a third.' },
      { user: '你好吗？', char: '“茶要趁热，话要趁真。”*她笑了。*' },
      { user: 'Does {{char}} know {{user}}?', char: '"Of course, {{user}}: we met at the inn."' },
      { user: 'Colons: everywhere: here', char: 'Line one\nuser: not a tag\nchar: nor this' },
    ];
    expect(parseExampleDialogue(formatExampleDialogue(exchanges))).toEqual(exchanges);
  });
});

describe('parseExampleDialogue on real-world card text', () => {
  it('reads SillyTavern-style text with blank lines, CRLF and mixed tag case', () => {
    const text =
      '<START>\r\n{{user}}: Hi.\r\n{{char}}: *smiles* Hello!\r\n\r\n' +
      '<start>\r\n{{User}}:What is this place?\r\n{{CHAR}}: The old mill.\r\nIt burned down years ago.\r\n\r\n';
    expect(parseExampleDialogue(text)).toEqual([
      { user: 'Hi.', char: '*smiles* Hello!' },
      { user: 'What is this place?', char: 'The old mill.\nIt burned down years ago.' },
    ]);
  });

  it('accepts the older <USER>: and <BOT>: tags', () => {
    const text = '<START>\n<USER>: Ready?\n<BOT>: Always.\n<START>\n<user>: Sure?\n<bot>: Quite.';
    expect(parseExampleDialogue(text)).toEqual([
      { user: 'Ready?', char: 'Always.' },
      { user: 'Sure?', char: 'Quite.' },
    ]);
  });

  it('turns several user/char pairs in one block into several exchanges', () => {
    const text = '<START>\n{{user}}: A\n{{char}}: B\n{{user}}: C\n{{char}}: D\n{{user}}: E\n{{char}}: F';
    expect(parseExampleDialogue(text)).toEqual([
      { user: 'A', char: 'B' },
      { user: 'C', char: 'D' },
      { user: 'E', char: 'F' },
    ]);
  });

  it('gives a character line with no user line before it an empty user turn', () => {
    const text = '<START>\n{{char}}: *opens the door* Welcome.\n<START>\n{{char}}: First.\n{{char}}: Second.';
    expect(parseExampleDialogue(text)).toEqual([
      { user: '', char: '*opens the door* Welcome.' },
      { user: '', char: 'First.' },
      { user: '', char: 'Second.' },
    ]);
  });

  it('keeps a user line that was never answered, with an empty character turn', () => {
    const text = '<START>\n{{user}}: Anyone here?\n{{user}}: Hello?\n{{char}}: Yes.\n<START>\n{{user}}: Last words';
    expect(parseExampleDialogue(text)).toEqual([
      { user: 'Anyone here?', char: '' },
      { user: 'Hello?', char: 'Yes.' },
      { user: 'Last words', char: '' },
    ]);
  });

  it('reads a card that never wrote <START>', () => {
    const text = '{{user}}: hi\n{{char}}: hey';
    expect(parseExampleDialogue(text)).toEqual([{ user: 'hi', char: 'hey' }]);
  });

  it('accepts the full-width colon Chinese cards use', () => {
    const text = '<START>\n{{user}}：你是谁？\n{{char}}：“在下韩半壶。”';
    expect(parseExampleDialogue(text)).toEqual([{ user: '你是谁？', char: '“在下韩半壶。”' }]);
  });

  it('does not lose narration written before the first tag of a block', () => {
    const text = '<START>\n(The tavern is loud.)\n{{user}}: A drink.\n{{char}}: Coming up.\n<START>\nJust narration, no tags.';
    expect(parseExampleDialogue(text)).toEqual([
      { user: '(The tavern is loud.)\nA drink.', char: 'Coming up.' },
      { user: '', char: 'Just narration, no tags.' },
    ]);
  });

  it('ignores empty blocks and whitespace-only text', () => {
    expect(parseExampleDialogue('<START>\n\n<START>\n   \n<START>')).toEqual([]);
    expect(parseExampleDialogue('  \n\n ')).toEqual([]);
  });
});
