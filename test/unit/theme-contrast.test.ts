// theme.css colour pairs against WCAG 2.1 contrast, in the dark (default) and light themes: text at
// least 4.5:1 on every surface it sits on, outlines of fields and buttons at least 3:1.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../../src/ui/theme.css', import.meta.url), 'utf8');

function tokens(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1], m[2]]));
}

const dark = tokens(css.slice(css.indexOf(':root {'), css.indexOf('@media (prefers-color-scheme: light)')));
const light = { ...dark, ...tokens(css.slice(css.indexOf('@media (prefers-color-scheme: light)'))) };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

const surfaces = ['bg', 'bg-raised', 'bg-sunken', 'user-bubble', 'char-bubble'];

describe.each([['dark', dark], ['light', light]] as const)('the %s theme', (_name, theme) => {
  it.each(['text', 'text-muted', 'accent', 'danger', 'ok'])('--%s reads at 4.5:1 or more on every surface', (text) => {
    for (const surface of surfaces) expect(contrast(theme[text], theme[surface]), `--${text} on --${surface}`).toBeGreaterThanOrEqual(4.5);
  });

  it('text on the accent (primary buttons, pressed tags) reads at 4.5:1 or more, hovered too', () => {
    expect(contrast(theme['accent-text'], theme.accent)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(theme['accent-text'], theme['accent-strong'])).toBeGreaterThanOrEqual(4.5);
  });

  it('outlines of fields and buttons stand out at 3:1 or more', () => {
    for (const surface of surfaces) expect(contrast(theme['control-border'], theme[surface]), `--control-border on --${surface}`).toBeGreaterThanOrEqual(3);
  });
});
