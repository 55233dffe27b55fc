// The whole app shell in happy-dom: the skip link first, and focus on each new page's heading.

import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { Locale } from '../../../src/state/locale.svelte';
import App from '../../../src/ui/App.svelte';
import { chatFixture } from './render-in-app';

describe('App focus', () => {
  it('moves focus to the new page\'s heading after each screen change, not on the first load', async () => {
    const { app } = await chatFixture();
    app.router.go({ name: 'gallery' });
    render(App, { props: { app } });
    await screen.findByRole('heading', { level: 1, name: 'Characters' });
    expect(document.activeElement).toBe(document.body);

    app.router.go({ name: 'models' });
    const models = await screen.findByRole('heading', { level: 1, name: 'Models' });
    await waitFor(() => expect(document.activeElement).toBe(models));
    expect(models.getAttribute('tabindex')).toBe('-1');

    // The character page reads its character before showing its heading: focus waits for it.
    app.router.go({ name: 'character', id: 'wren' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Wren' })));
  });

  it('has "Skip to content" as the first link, and it focuses the page heading without changing the route', async () => {
    const { app } = await chatFixture();
    app.router.go({ name: 'settings' });
    render(App, { props: { app } });
    const skip = screen.getAllByRole('link')[0];
    expect(skip.textContent).toBe('Skip to content');
    await fireEvent.click(skip);
    expect(document.activeElement).toBe(await screen.findByRole('heading', { level: 1, name: 'Settings' }));
    expect(app.router.route).toEqual({ name: 'settings' });
  });
});

describe('page language', () => {
  it('says the UI language on <html lang> from the start, and follows a saved or picked language', async () => {
    const { app } = await chatFixture();
    expect(document.documentElement.lang).toBe('en');
    await app.setLang('zh');
    expect(document.documentElement.lang).toBe('zh-CN');
    // A language saved earlier is read at startup (the same path a restore takes).
    app.locale.lang = 'en';
    await app.reloadFromStorage();
    expect(app.locale.lang).toBe('zh');
    expect(document.documentElement.lang).toBe('zh-CN');
  });

  it('a browser in Chinese starts with <html lang="zh-CN"> before anything is read', () => {
    document.documentElement.lang = 'en';
    new Locale('zh');
    expect(document.documentElement.lang).toBe('zh-CN');
  });
});
