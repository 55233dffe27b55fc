// Whether a name shows anything. Spaces, zero-width characters (U+200B, U+2060, U+FEFF), bidi marks
// and other default-ignorable code points render as nothing, so a name made only of them would put
// a nameless card in the gallery; readers treat such a name as empty.

const INVISIBLE = /[\s\p{Default_Ignorable_Code_Point}\p{Cc}\u2800]/gu;

/** True when `text` holds at least one character that renders as something. */
export function hasVisibleText(text: string): boolean {
  return text.replace(INVISIBLE, '') !== '';
}
