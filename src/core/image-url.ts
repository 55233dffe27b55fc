// Which image URLs the app may show or read: images carried in the data itself, or the app's own files.

/**
 * `url` when loading it cannot make a request leave the device: a `data:image/…` URL, or a path
 * to one of the app's own files (`/…`, `./…`). Anything else a card, pack or backup brings
 * (`https:`, protocol-relative `//host`, `javascript:`, `file:`) gives '' and the avatar falls back
 * to the initial: the app promises nothing leaves the device, and an <img> would fetch it.
 */
export function localImageUrl(url: string | null | undefined): string {
  if (typeof url !== 'string') return '';
  const trimmed = url.trim();
  if (/^data:image\/[a-z0-9.+-]+[;,]/i.test(trimmed)) return url;
  // Browsers read a backslash as a slash, so "/\host" would be protocol-relative too.
  if (/^\.{0,2}\/(?![/\\])/.test(trimmed) && !trimmed.includes('\\') && !/[\u0000-\u001f]/.test(trimmed)) return url;
  return '';
}
