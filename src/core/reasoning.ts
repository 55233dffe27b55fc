// A model's hidden reasoning block (<think>…</think>, Qwen3 and DeepSeek-R1 style) at the start
// of a reply. web-llm writes an empty one into every Qwen3 reply with thinking off and streams it
// as the reply's first text; the stored reply keeps it (sent back as it came, the engine reuses its
// cache), but the person reads, hears and searches the reply without it.

const OPEN = '<think>';
const CLOSE = '</think>';

/** The reply as the person sees it: a leading reasoning block dropped (all of it while it is still being written). */
export function withoutReasoning(text: string): string {
  const start = text.search(/\S/);
  if (start < 0 || !text.startsWith(OPEN, start)) return text;
  const end = text.indexOf(CLOSE, start + OPEN.length);
  if (end < 0) return '';
  return text.slice(end + CLOSE.length).replace(/^\s+/, '');
}
