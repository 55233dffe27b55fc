// Example dialogue in the card `mes_example` format: writing it from exchanges and reading it back.

import type { Exchange } from './types';

const START = '<START>';

/**
 * Exchanges -> `mes_example` text: one `<START>` block per exchange, joined by newlines.
 * Texts are written as they are; a newline inside a turn becomes a continuation line.
 */
export function formatExampleDialogue(exchanges: Exchange[]): string {
  return exchanges
    .map((e) => `${START}\n{{user}}: ${e.user}\n{{char}}: ${e.char}`)
    .join('\n');
}

// A speaker tag at the start of a line: `{{user}}:`, `<USER>:`, `{{char}}:`, `<BOT>:`, in any
// case, with an ASCII or full-width colon (Chinese cards often use `：`).
const SPEAKER = /^[ \t]*(\{\{\s*(user|char)\s*\}\}|<\s*(user|bot)\s*>)[ \t]*[:：][ \t]?/i;

type Speaker = 'user' | 'char';

interface Turn {
  speaker: Speaker;
  lines: string[];
}

/**
 * `mes_example` text -> exchanges. Tolerant of what real cards contain: any case of the tags,
 * `<USER>`/`<BOT>`, CRLF, blank lines between blocks, several pairs per block, a block without
 * `<START>`, a character line with no user line before it (user becomes ''), a user line never
 * answered (char becomes ''). Text before the first tag of a block is kept, prefixed to the
 * first turn, so nothing the card author wrote is lost. Each turn is trimmed.
 */
export function parseExampleDialogue(text: string): Exchange[] {
  const exchanges: Exchange[] = [];
  const blocks = text.replace(/\r\n?/g, '\n').split(/<start>/i);
  for (const block of blocks) {
    const turns = readTurns(block);
    let pendingUser: string | null = null;
    for (const turn of turns) {
      const body = turn.lines.join('\n').trim();
      if (turn.speaker === 'user') {
        if (pendingUser !== null) exchanges.push({ user: pendingUser, char: '' });
        pendingUser = body;
      } else {
        exchanges.push({ user: pendingUser ?? '', char: body });
        pendingUser = null;
      }
    }
    if (pendingUser !== null) exchanges.push({ user: pendingUser, char: '' });
  }
  return exchanges;
}

function readTurns(block: string): Turn[] {
  const turns: Turn[] = [];
  const orphan: string[] = [];
  let current: Turn | null = null;
  for (const line of block.split('\n')) {
    const m = SPEAKER.exec(line);
    if (m) {
      const who = (m[2] ?? m[3] ?? '').toLowerCase();
      const speaker: Speaker = who === 'user' ? 'user' : 'char';
      const first = line.slice(m[0].length);
      current = { speaker, lines: [first] };
      if (turns.length === 0 && orphan.some((l) => l.trim() !== '')) {
        current.lines = [...orphan, first];
      }
      turns.push(current);
    } else if (current) {
      current.lines.push(line);
    } else {
      orphan.push(line);
    }
  }
  // Narration with no speaker at all still belongs to the example: give it to the character.
  if (turns.length === 0 && orphan.some((l) => l.trim() !== '')) {
    turns.push({ speaker: 'char', lines: orphan });
  }
  return turns;
}
