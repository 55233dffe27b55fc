// A group member's reply, kept to their own line: the model, seeing "Name: text" lines, tends to
// go on writing the next member's line or the person's. The reply ends where such a line starts,
// and a leading "OwnName:" (the pattern of every history line) is taken off.

export interface SpeakerCut {
  text: string;
  /** The reply went on into someone else's line (the engine may stop writing). */
  cut: boolean;
}

/**
 * `text` as the speaker's own line: cut before the first line that opens with another name and a
 * colon (ASCII or full-width), its own leading name removed. Works on partial streamed text: a
 * line that could still become "Name:" is not cut until it does.
 */
export function cutAtOtherSpeaker(text: string, speaker: string, others: readonly string[]): SpeakerCut {
  let body = withoutOwnName(text, speaker);
  let cutAt = -1;
  for (const name of others.map((n) => n.trim()).filter(Boolean)) {
    const at = lineStartOf(body, name);
    if (at >= 0 && (cutAt < 0 || at < cutAt)) cutAt = at;
  }
  if (cutAt < 0) return { text: body, cut: false };
  body = body.slice(0, cutAt).trimEnd();
  return { text: body, cut: true };
}

function withoutOwnName(text: string, speaker: string): string {
  const name = speaker.trim();
  const lead = text.match(/^\s*/)![0].length;
  for (const colon of [':', '：']) {
    if (name && text.startsWith(name + colon, lead)) return text.slice(lead + name.length + 1).replace(/^[ \t]+/, '');
  }
  return text;
}

/** Where a line opening with `name:` starts (at the text's start or after a line break), or -1. */
function lineStartOf(text: string, name: string): number {
  let first = -1;
  for (const colon of [':', '：']) {
    const marker = name + colon;
    const at = text.startsWith(marker) ? 0 : text.indexOf('\n' + marker);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}
