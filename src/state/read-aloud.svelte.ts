// Reading replies aloud in the character's voice: a whole message on request, a reply as it
// streams (sentence by sentence, when auto-read is on), the greeting from the editor; Stop ends it.
// Speech is the browser's (platform/speech.ts); without it `available` is false and nothing speaks.

import { SentenceStream, sentencesOf } from '../core/speech-text';
import type { CharacterVoice, Lang } from '../core/types';
import type { DeviceVoice, Speech, Utterance } from '../platform/speech';
import type { SettingsRepository } from '../storage';
import { LiveValue } from './live.svelte';

export const AUTO_READ_KEY = 'voice.autoRead';
/** Who speaks: the character's language and chosen voice. */
export interface Speaker {
  language: Lang;
  voice?: CharacterVoice;
}

/** The tag a device voice list is filtered by, and utterances without a chosen voice are spoken in. */
const LANG_TAGS: Record<Lang, string> = { en: 'en-US', zh: 'zh-CN' };

/** Whether a device voice speaks `lang` (Chinese voices: zh-*, cmn-*, yue-*). */
export function speaksLanguage(voice: Pick<DeviceVoice, 'lang'>, lang: Lang): boolean {
  const tag = voice.lang.toLowerCase();
  return lang === 'zh' ? /^(zh|cmn|yue)\b/.test(tag) : /^en\b/.test(tag);
}

function utteranceFor(text: string, speaker: Speaker): Utterance {
  const voice = speaker.voice;
  return voice
    ? { text, voiceURI: voice.voiceURI, lang: voice.lang, rate: voice.rate, pitch: voice.pitch }
    : { text, lang: LANG_TAGS[speaker.language], rate: 1, pitch: 1 };
}

export interface ReadAloudDeps {
  speech: Speech | null;
  settings: () => SettingsRepository;
}

export class ReadAloud {
  /** The device's voices (they arrive a moment after start). */
  voices = $state.raw<DeviceVoice[]>([]);
  /** What is being read: a message id or 'greeting'; null when silent. */
  reading = $state<string | null>(null);
  readonly #autoRead = new LiveValue<boolean>(false);
  #deps: ReadAloudDeps;
  /** Sentences queued and not yet spoken, in the current reading. */
  #pending = 0;
  /** Counts stops: a sentence ending after a Stop belongs to a reading that is over. */
  #generation = 0;
  /** The reply being read as it streams. */
  #stream: { id: string; sentences: SentenceStream } | null = null;
  /** A streaming reply whose reading was stopped: the rest of it stays unread. */
  #silenced: string | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(deps: ReadAloudDeps) {
    this.#deps = deps;
  }

  get available(): boolean {
    return this.#deps.speech !== null;
  }

  /** Replies are read aloud as they stream. */
  get autoRead(): boolean {
    return this.available && this.#autoRead.value;
  }

  /** Follows the device's voice list and the stored auto-read choice until dispose(). */
  start(): void {
    const speech = this.#deps.speech;
    if (!speech) return;
    const update = () => (this.voices = speech.voices());
    update();
    this.#unsubscribe?.();
    this.#unsubscribe = speech.onVoicesChanged(update);
    this.#autoRead.follow(this.#deps.settings().watch<boolean>(AUTO_READ_KEY, false));
  }

  dispose(): void {
    this.#unsubscribe?.();
    this.#autoRead.dispose();
  }

  /** The device's voices for a language, local (offline) ones first. */
  voicesFor(lang: Lang): DeviceVoice[] {
    return this.voices.filter((voice) => speaksLanguage(voice, lang)).sort((a, b) => Number(b.local) - Number(a.local));
  }

  async setAutoRead(on: boolean): Promise<void> {
    this.#autoRead.set(on);
    if (!on && this.#stream) this.stop();
    await this.#deps.settings().set(AUTO_READ_KEY, on);
  }

  /** Reads a whole message (or greeting) from the start, instead of whatever was being read. */
  read(id: string, markup: string, speaker: Speaker): void {
    this.stop();
    this.#say(id, sentencesOf(markup), speaker);
  }

  /**
   * A reply's text as it streams (`done`: the last time, its whole text): with auto-read on, each
   * sentence is spoken once it is complete, the last one when the reply ends.
   */
  hearReply(id: string, text: string, done: boolean, speaker: Speaker): void {
    if (!this.autoRead || id === this.#silenced) return;
    if (this.#stream?.id !== id) {
      this.stop();
      this.#stream = { id, sentences: new SentenceStream() };
    }
    const stream = this.#stream!;
    const fresh = done ? stream.sentences.finish(text) : stream.sentences.next(text);
    if (done) this.#stream = null;
    this.#say(id, fresh, speaker);
    this.#settle(id);
  }

  /** Stops speaking now and forgets what was queued (a streaming reply is not read further). */
  stop(): void {
    this.#generation++;
    this.#pending = 0;
    if (this.#stream) this.#silenced = this.#stream.id;
    this.#stream = null;
    this.reading = null;
    this.#deps.speech?.cancel();
  }

  #say(id: string, sentences: string[], speaker: Speaker): void {
    const speech = this.#deps.speech;
    if (!speech) return;
    const generation = this.#generation;
    for (const sentence of sentences) {
      this.#pending++;
      this.reading = id;
      speech.speak(utteranceFor(sentence, speaker), () => {
        if (generation !== this.#generation) return;
        this.#pending--;
        this.#settle(id);
      });
    }
  }

  /** Silent once every queued sentence is spoken and no more are coming from a streaming reply. */
  #settle(id: string): void {
    if (this.#pending <= 0 && this.#stream?.id !== id && this.reading === id) this.reading = null;
  }
}
