// Draws the app's icons (the hearth flame of favicon.svg) as PNGs into public/: `npx tsx scripts/make-icons.ts`.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePng } from '../src/core/cards/png';

type Rgb = readonly [number, number, number];

const BACKGROUND: Rgb = [0x2b, 0x21, 0x40];
const OUTER_FLAME: Rgb = [0xff, 0x9a, 0x4d];
const INNER_FLAME: Rgb = [0xff, 0xd3, 0x8a];
/** Samples per pixel side: 4 × 4 samples give smooth edges without a vector renderer. */
const SUPERSAMPLE = 4;

interface IconSpec {
  file: string;
  size: number;
  /** Rounded corners for the plain icon; maskable and Apple icons are full squares (the OS crops them). */
  cornerRadius: number;
  /** Height of the flame as a share of the icon; maskable icons keep it inside the 80 % safe circle. */
  flameScale: number;
}

const ICONS: IconSpec[] = [
  { file: 'icon-192.png', size: 192, cornerRadius: 0.22, flameScale: 0.7 },
  { file: 'icon-512.png', size: 512, cornerRadius: 0.22, flameScale: 0.7 },
  { file: 'icon-maskable-512.png', size: 512, cornerRadius: 0, flameScale: 0.5 },
  { file: 'apple-touch-icon.png', size: 180, cornerRadius: 0, flameScale: 0.62 },
];

/**
 * A flame in unit coordinates (x and y in 0..1, y down): a round base that tapers to a tip.
 * Half-width at height t (0 at the tip, 1 at the bottom): a power curve above the belly, a circle below.
 */
function inFlame(x: number, y: number): boolean {
  if (y < 0 || y > 1) return false;
  const belly = 0.62;
  const radius = 0.38;
  let halfWidth: number;
  if (y >= belly) {
    const dy = (y - belly) / (1 - belly);
    halfWidth = radius * Math.sqrt(Math.max(0, 1 - dy * dy));
  } else {
    halfWidth = radius * Math.pow(y / belly, 1.6);
  }
  // A slight lean to the right near the tip, like the favicon's flame.
  const centre = 0.5 + 0.06 * Math.pow(1 - y, 2);
  return Math.abs(x - centre) <= halfWidth;
}

function inRoundedSquare(x: number, y: number, radius: number): boolean {
  if (radius <= 0) return true;
  const cx = Math.min(Math.max(x, radius), 1 - radius);
  const cy = Math.min(Math.max(y, radius), 1 - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius;
}

/** The colour and coverage of one sample point in icon coordinates (0..1). */
function sample(spec: IconSpec, x: number, y: number): Rgb | null {
  if (!inRoundedSquare(x, y, spec.cornerRadius)) return null;
  const flameHeight = spec.flameScale;
  const top = 0.5 - flameHeight / 2;
  const fx = (x - 0.5) / flameHeight + 0.5;
  const fy = (y - top) / flameHeight;
  // The inner flame: the same shape, smaller, sitting on the outer flame's base.
  const inner = 0.5;
  if (inFlame((fx - 0.5) / inner + 0.5, (fy - (1 - inner) + 0.04) / inner)) return INNER_FLAME;
  if (inFlame(fx, fy)) return OUTER_FLAME;
  return BACKGROUND;
}

export function drawIcon(spec: IconSpec): Uint8Array {
  const { size } = spec;
  const rgba = new Uint8Array(size * size * 4);
  const samples = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, covered = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const colour = sample(spec, (px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size);
          if (!colour) continue;
          r += colour[0];
          g += colour[1];
          b += colour[2];
          covered++;
        }
      }
      const at = (py * size + px) * 4;
      if (covered === 0) continue;
      // Colour averaged over covered samples; alpha is the coverage (anti-aliased corners).
      rgba[at] = Math.round(r / covered);
      rgba[at + 1] = Math.round(g / covered);
      rgba[at + 2] = Math.round(b / covered);
      rgba[at + 3] = Math.round((covered / samples) * 255);
    }
  }
  return encodePng(size, size, rgba);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const spec of ICONS) {
    const path = fileURLToPath(new URL(`../public/${spec.file}`, import.meta.url));
    const png = drawIcon(spec);
    writeFileSync(path, png);
    console.log(`${spec.file}: ${spec.size}×${spec.size}, ${png.length} bytes`);
  }
}
