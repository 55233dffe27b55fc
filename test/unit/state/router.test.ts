import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from '../../../src/state/router.svelte';

describe('routes', () => {
  it('round-trip through the URL hash, including odd ids', () => {
    const routes: Route[] = [
      { name: 'gallery' }, { name: 'models' }, { name: 'settings' },
      { name: 'character', id: 'builtin:mira' }, { name: 'chat', id: 'a/b c' },
      { name: 'edit', id: 'builtin:mira' }, { name: 'edit', id: 'a/b c' }, { name: 'new' },
    ];
    for (const route of routes) expect(parseRoute(formatRoute(route))).toEqual(route);
  });

  it('reads the editor routes', () => {
    expect(parseRoute('#/character/x%2Fy/edit')).toEqual({ name: 'edit', id: 'x/y' });
    expect(formatRoute({ name: 'edit', id: 'builtin:mira' })).toBe('#/character/builtin%3Amira/edit');
    expect(parseRoute('#/new')).toEqual({ name: 'new' });
  });

  it('has an address for a character’s chat and for the Models page reached from a chat', () => {
    expect(parseRoute('#/character/builtin%3Amira/talk')).toEqual({ name: 'talk', id: 'builtin:mira' });
    expect(parseRoute('#/models/from/a%2Fb')).toEqual({ name: 'models', from: 'a/b' });
    for (const route of [{ name: 'talk', id: 'a/b c' }, { name: 'models', from: 'x y/z' }] satisfies Route[]) {
      expect(parseRoute(formatRoute(route))).toEqual(route);
    }
  });

  it('has an address for a standalone lorebook and for a character’s own book', () => {
    expect(parseRoute('#/lorebook/a%2Fb')).toEqual({ name: 'lorebook', id: 'a/b' });
    expect(parseRoute('#/character/builtin%3Amira/lorebook')).toEqual({ name: 'character-lorebook', id: 'builtin:mira' });
    for (const route of [{ name: 'lorebook', id: 'x y/z' }, { name: 'character-lorebook', id: 'a/b c' }] satisfies Route[]) {
      expect(parseRoute(formatRoute(route))).toEqual(route);
    }
  });

  it('has an address for evaluating a character, so a reload comes back to its runs', () => {
    expect(parseRoute('#/character/builtin%3Amira/evaluate')).toEqual({ name: 'evaluate', id: 'builtin:mira' });
    const route: Route = { name: 'evaluate', id: 'a/b c' };
    expect(parseRoute(formatRoute(route))).toEqual(route);
  });

  it('has an address for a message in a chat (a search result) and for search, in all chats or one character’s', () => {
    expect(parseRoute('#/chat/k%201/message/m%2F2')).toEqual({ name: 'chat', id: 'k 1', message: 'm/2' });
    expect(parseRoute('#/search')).toEqual({ name: 'search' });
    expect(parseRoute('#/search/builtin%3Amira')).toEqual({ name: 'search', character: 'builtin:mira' });
    for (const route of [{ name: 'chat', id: 'a/b', message: 'c d' }, { name: 'search' }, { name: 'search', character: 'x/y' }] satisfies Route[]) {
      expect(parseRoute(formatRoute(route))).toEqual(route);
    }
  });

  it('falls back to the gallery for unknown hashes', () => {
    expect(parseRoute('#/nowhere')).toEqual({ name: 'gallery' });
    expect(parseRoute('')).toEqual({ name: 'gallery' });
    expect(parseRoute('#/chat/')).toEqual({ name: 'gallery' });
  });
});
