// Server-sent events (the text/event-stream format OpenAI-compatible servers stream replies in), parsed
// from text chunks that may split a line, a field or a "\r\n" anywhere. Pure: the engine feeds it what
// fetch() reads. Follows the WHATWG rules: lines starting ":" are comments (keep-alives), a blank line
// ends an event, several data lines join with "\n", "event:" names the event.

export interface SseEvent {
  /** The event's name; 'message' when the server named none. */
  event: string;
  data: string;
}

export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  /** A "\r" ended the last chunk: a "\n" opening the next one belongs to the same line break. */
  #pendingCr = false;

  /** Feeds the next piece of the stream; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.#pendingCr = false;
    this.#buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const c = this.#buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      this.#line(this.#buffer.slice(start, i), events);
      if (c === '\r') {
        if (i + 1 === this.#buffer.length) this.#pendingCr = true;
        else if (this.#buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  /** The stream ended: an event not closed by a blank line is dropped, as the standard says. */
  end(): void {
    this.#buffer = '';
    this.#event = '';
    this.#data = [];
    this.#pendingCr = false;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data.length > 0) events.push({ event: this.#event || 'message', data: this.#data.join('\n') });
      this.#event = '';
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return; // a comment: ": keep-alive", ": ping"
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    // id and retry matter only to EventSource reconnection, which a POST stream never does.
  }
}
