// Avatars from cards, packs and backups never make the app fetch from another host.

import { describe, expect, it } from 'vitest';
import { localImageUrl } from '../../../src/core/image-url';

describe('localImageUrl', () => {
  it('keeps images carried in the data and the app\'s own files', () => {
    for (const url of ['data:image/png;base64,iVBORw0KGgo=', 'data:image/svg+xml;charset=utf-8,%3Csvg%3E', 'DATA:IMAGE/WEBP;base64,UklGR', './characters/mira/avatar.svg', '/icon-192.png']) {
      expect(localImageUrl(url)).toBe(url);
    }
  });

  it('drops URLs that would make a request leave the device, or are not images', () => {
    for (const url of [
      'https://tracker.example/pixel.png',
      'http://tracker.example/a.png',
      '//tracker.example/a.png',
      '/\\tracker.example/a.png',
      ' https://tracker.example/a.png',
      'javascript:alert(1)',
      'data:text/html;base64,PHNjcmlwdD4=',
      'file:///etc/passwd',
      'none',
      '',
    ]) {
      expect(localImageUrl(url), url).toBe('');
    }
    expect(localImageUrl(undefined)).toBe('');
  });
});
