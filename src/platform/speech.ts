// The browser's speech synthesis (window.speechSynthesis) as plain values: the voices the device
// has, speaking one sentence in a chosen voice, and cancelling everything queued. Holds nothing.

/** A device voice, as the browser names it. `local`: it works offline. */
export interface DeviceVoice {
  voiceURI: string;
  name: string;
  lang: string;
  local: boolean;
}

/** How one sentence is spoken. A voiceURI the device lacks falls back to its voice for `lang`. */
export interface Utterance {
  text: string;
  voiceURI?: string;
  lang: string;
  rate: number;
  pitch: number;
}

export interface Speech {
  voices(): DeviceVoice[];
  /** Calls `changed` when the device's voice list arrives or changes; returns the unsubscribe. */
  onVoicesChanged(changed: () => void): () => void;
  /** Queues one utterance after those already queued; `ended` runs when it is done or cancelled. */
  speak(utterance: Utterance, ended: () => void): void;
  /** Stops speaking and empties the queue. */
  cancel(): void;
}

/** The browser's speech synthesis, or null where the browser has none. */
export function browserSpeech(): Speech | null {
  const synth = typeof window === 'undefined' ? undefined : window.speechSynthesis;
  if (!synth || typeof SpeechSynthesisUtterance === 'undefined') return null;
  const all = () => synth.getVoices();
  return {
    voices: () => all().map((v) => ({ voiceURI: v.voiceURI, name: v.name, lang: v.lang, local: v.localService })),
    onVoicesChanged(changed) {
      synth.addEventListener('voiceschanged', changed);
      return () => synth.removeEventListener('voiceschanged', changed);
    },
    speak(utterance, ended) {
      const spoken = new SpeechSynthesisUtterance(utterance.text);
      spoken.lang = utterance.lang;
      spoken.rate = utterance.rate;
      spoken.pitch = utterance.pitch;
      const voice = all().find((v) => v.voiceURI === utterance.voiceURI);
      if (voice) spoken.voice = voice;
      let done = false;
      const end = () => {
        if (done) return;
        done = true;
        ended();
      };
      spoken.addEventListener('end', end);
      spoken.addEventListener('error', end);
      synth.speak(spoken);
    },
    cancel: () => synth.cancel(),
  };
}
