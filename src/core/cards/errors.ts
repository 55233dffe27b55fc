// Card import errors: one reason per way a file can fail, each with a sentence a person can act on.

import { HearthError, registerErrorClass, type ErrorDetails } from '../errors';

export type CardErrorReason =
  | 'not-a-card'
  | 'invalid-json'
  | 'bad-base64'
  | 'unsupported-version'
  | 'too-large'
  | 'bad-png'
  | 'bad-zip'
  | 'zip-too-many-entries'
  | 'zip-too-large'
  | 'unsafe-path';

export const CARD_ERROR_REASONS: readonly CardErrorReason[] = [
  'not-a-card', 'invalid-json', 'bad-base64', 'unsupported-version', 'too-large',
  'bad-png', 'bad-zip', 'zip-too-many-entries', 'zip-too-large', 'unsafe-path',
];

/**
 * Every failure of the card codecs. `message` is a complete English sentence about this file;
 * `details` carries the facts (chunk name, sizes, limits) for a localised sentence.
 */
export class CardError extends HearthError<CardErrorReason> {
  constructor(reason: CardErrorReason, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(reason, message, details, options);
    this.name = 'CardError';
  }

  get reason(): CardErrorReason {
    return this.code;
  }
}
registerErrorClass('CardError', CardError);

export function isCardError(error: unknown): error is CardError {
  return error instanceof CardError;
}

/** Run `fn`; anything it throws that is not a CardError becomes one with `reason`. */
export function guard<T>(reason: CardErrorReason, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CardError) throw error;
    const text = error instanceof Error ? error.message : String(error);
    throw new CardError(reason, `${what}: ${text}`, {}, { cause: error });
  }
}
