// The avatar cropper's square stays inside the picture however it is dragged, zoomed or keyed.

import { describe, expect, it } from 'vitest';
import { AvatarCrop, MAX_ZOOM } from '../../../src/state/avatar-crop.svelte';

describe('AvatarCrop', () => {
  it('starts as the largest centred square', () => {
    const crop = new AvatarCrop(800, 600);
    expect(crop.rect).toEqual({ x: 100, y: 0, side: 600 });
  });

  it('follows a drag in the other direction, scaled from screen to image pixels, and stops at the edges', () => {
    const crop = new AvatarCrop(800, 600);
    crop.drag(30, 0, 300); // picture moves right by 30 of 300 screen px -> square moves left by 60 image px
    expect(crop.rect.x).toBe(40);
    crop.drag(1000, 1000, 300);
    expect(crop.rect).toEqual({ x: 0, y: 0, side: 600 });
  });

  it('zooms between 1 and the maximum, keeping the square inside the image', () => {
    const crop = new AvatarCrop(800, 600);
    crop.move(1000, 0);
    crop.setZoom(2);
    expect(crop.rect.side).toBe(300);
    crop.move(1000, 1000);
    expect(crop.rect).toEqual({ x: 500, y: 300, side: 300 });
    crop.setZoom(1);
    expect(crop.rect).toEqual({ x: 200, y: 0, side: 600 });
    crop.setZoom(100);
    expect(crop.zoom).toBe(MAX_ZOOM);
    crop.setZoom(0.1);
    expect(crop.zoom).toBe(1);
  });

  it('moves with arrow keys and zooms with + and -, ignoring other keys', () => {
    const crop = new AvatarCrop(1000, 500);
    const start = crop.rect.x;
    expect(crop.key('ArrowRight')).toBe(true);
    expect(crop.rect.x).toBeCloseTo(start + 25);
    expect(crop.key('ArrowLeft', true)).toBe(true);
    expect(crop.rect.x).toBeCloseTo(start + 25 - 125);
    expect(crop.key('+')).toBe(true);
    expect(crop.zoom).toBeGreaterThan(1);
    expect(crop.key('-')).toBe(true);
    expect(crop.zoom).toBeCloseTo(1);
    expect(crop.key('a')).toBe(false);
  });
});
