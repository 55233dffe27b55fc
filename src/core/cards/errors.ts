// Card import errors: one reason per way a file can fail, each with a sentence a person can act on.

import { HearthError, registerErrorClass, type ErrorDetails } from '../errors';
import { isStackOverflow, MAX_JSON_DEPTH, tooDeepMessage } from './json-depth';

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
  | 'unsafe-path'
  | 'too-deep';

export const CARD_ERROR_REASONS: readonly CardErrorReason[] = [
  'not-a-card', 'invalid-json', 'bad-base64', 'unsupported-version', 'too-large',
  'bad-png', 'bad-zip', 'zip-too-many-entries', 'zip-too-large', 'unsafe-path', 'too-deep',
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
    // A recursive walk that overflowed the stack says nothing about the file being damaged.
    if (isStackOverflow(error)) throw new CardError('too-deep', tooDeepMessage(what.replace(/ cannot be read$/, '')), { limit: MAX_JSON_DEPTH }, { cause: error });
    const text = error instanceof Error ? error.message : String(error);
    throw new CardError(reason, `${what}: ${text}`, {}, { cause: error });
  }
}
