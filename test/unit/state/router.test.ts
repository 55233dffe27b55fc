import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from '../../../src/state/router.svelte';

describe('routes', () => {
  it('round-trip through the URL hash, including odd ids', () => {
    const routes: Route[] = [
      { name: 'gallery' }, { name: 'models' }, { name: 'settings' },
      { name: 'character', id: 'builtin:mira' }, { name: 'chat', id: 'a/b c' },
    ];
    for (const route of routes) expect(parseRoute(formatRoute(route))).toEqual(route);
  });

  it('falls back to the gallery for unknown hashes', () => {
    expect(parseRoute('#/nowhere')).toEqual({ name: 'gallery' });
    expect(parseRoute('')).toEqual({ name: 'gallery' });
    expect(parseRoute('#/chat/')).toEqual({ name: 'gallery' });
  });
});
