// Browser-only image and file helpers: rasterising an avatar to PNG, cropping an upload, downloads.
// A browser adapter (platform/, not state/: it holds no app state, only talks to the browser).

import type { ImageBytes } from '../core/cards';

/** Side of the square avatar the editor stores and the PNG card carries. */
export const AVATAR_SIZE = 512;

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.decoding = 'async';
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('The image could not be decoded.'));
    image.src = url;
  });
}

function canvasBlob(canvas: HTMLCanvasElement, type: string, quality?: number): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The canvas could not be encoded.'))), type, quality);
  });
}

function square(size: number): { canvas: HTMLCanvasElement; context: CanvasRenderingContext2D } {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot draw on a canvas.');
  return { canvas, context };
}

/**
 * Any avatar URL (SVG, JPEG, WebP, PNG; data: or same-origin) drawn as a square PNG. An <img>
 * rather than createImageBitmap, because Chromium cannot make bitmaps from SVG. Undefined when the
 * image cannot be loaded or drawn; the caller falls back to a placeholder.
 */
export async function rasterizeToPng(url: string, size = AVATAR_SIZE): Promise<Uint8Array | undefined> {
  try {
    const image = await loadImage(url);
    const { canvas, context } = square(size);
    const width = image.naturalWidth || size;
    const height = image.naturalHeight || size;
    // Centre-crop a non-square raster, as the round avatar shows it.
    const side = Math.min(width, height);
    context.drawImage(image, (width - side) / 2, (height - side) / 2, side, side, 0, 0, size, size);
    const blob = await canvasBlob(canvas, 'image/png');
    return new Uint8Array(await blob.arrayBuffer());
  } catch {
    return undefined;
  }
}

/** A same-origin avatar file's bytes; undefined when it cannot be fetched. */
export async function fetchImage(url: string): Promise<ImageBytes | undefined> {
  try {
    const response = await fetch(url);
    if (!response.ok) return undefined;
    const blob = await response.blob();
    return { bytes: new Uint8Array(await blob.arrayBuffer()), mime: blob.type || 'application/octet-stream' };
  } catch {
    return undefined;
  }
}

/** A picked image file, decoded for the cropper; throws when it is not an image the browser reads. */
export async function decodeImageFile(file: Blob): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(file);
  try {
    return await loadImage(url);
  } finally {
    // The decoded image keeps its pixels; the object URL is not needed any more.
    URL.revokeObjectURL(url);
  }
}

/** The square `crop` (in source pixels) of `image`, resized to `size`, as a WebP (else PNG) data: URL. */
export function cropToDataUrl(
  image: CanvasImageSource,
  crop: { x: number; y: number; side: number },
  size = AVATAR_SIZE,
): string {
  const { canvas, context } = square(size);
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, crop.x, crop.y, crop.side, crop.side, 0, 0, size, size);
  const webp = canvas.toDataURL('image/webp', 0.9);
  // Browsers that cannot encode WebP return a PNG data: URL, which is fine too.
  return webp.startsWith('data:image/webp') ? webp : canvas.toDataURL('image/png');
}

/** Save bytes as a file through a temporary object URL and an <a download>. */
export function downloadFile(file: { name: string; mime: string; bytes: Uint8Array }): void {
  const blob = new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.mime });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers start the download after click() returns; give them a moment before revoking.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
