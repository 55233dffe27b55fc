// The update prompt never cuts a reply: "Reload to update" waits for the reply to end, and the
// page reloads only after the person accepts (or, for isolation, only while idle).

import { describe, expect, it } from 'vitest';
import { AppUpdate, type PageActivity } from '../../../src/state/app-update.svelte';

/** A fake service worker registration recording what the state asked of it. */
function fakeRegistration(update: AppUpdate) {
  const calls: string[] = [];
  update.connect({
    activateWaiting: async () => {
      calls.push('activateWaiting');
      // The real registration reports the takeover once the waiting worker controls the page.
      update.tookOver();
    },
    reload: () => calls.push('reload'),
  });
  return calls;
}

function setup(initial: Partial<PageActivity> = {}) {
  const activity: PageActivity = { streaming: false, modelInUse: false, ...initial };
  const update = new AppUpdate(() => activity);
  const calls = fakeRegistration(update);
  return { activity, update, calls };
}

describe('AppUpdate', () => {
  it('offers nothing until a new version is waiting', () => {
    const { update, calls } = setup();
    expect(update.offered).toBe(false);
    update.versionWaiting();
    expect(update.offered).toBe(true);
    expect(calls).toEqual([]);
  });

  it('accepting activates the waiting version, then reloads once it controls the page', async () => {
    const { update, calls } = setup();
    update.versionWaiting();
    expect(await update.accept()).toBe(true);
    expect(calls).toEqual(['activateWaiting', 'reload']);
    expect(update.offered).toBe(false);
  });

  it('holds the offer back while a reply is being written and makes it once the reply ends', async () => {
    const { activity, update, calls } = setup({ streaming: true });
    update.versionWaiting();
    expect(update.offered).toBe(false);
    // Even a stale click on the button cannot reload mid-reply.
    expect(await update.accept()).toBe(false);
    expect(calls).toEqual([]);

    activity.streaming = false;
    expect(update.offered).toBe(true);
    expect(await update.accept()).toBe(true);
    expect(calls).toEqual(['activateWaiting', 'reload']);
  });

  it('a version that another tab let take over is offered, not forced on this page', async () => {
    const { activity, update, calls } = setup({ streaming: true });
    update.tookOver();
    expect(calls).toEqual([]);
    expect(update.available).toBe(true);
    activity.streaming = false;
    expect(update.offered).toBe(true);
    expect(await update.accept()).toBe(true);
    // Nothing is waiting any more: accepting only reloads.
    expect(calls).toEqual(['reload']);
  });

  it('"Later" hides the offer until the next version arrives', () => {
    const { update } = setup();
    update.versionWaiting();
    update.dismiss();
    expect(update.offered).toBe(false);
    update.versionWaiting();
    expect(update.offered).toBe(true);
  });

  it('reloads for cross-origin isolation only while no reply is written and no model is in use', () => {
    const streaming = setup({ streaming: true });
    expect(streaming.update.reloadForIsolation()).toBe(false);
    const withModel = setup({ modelInUse: true });
    expect(withModel.update.reloadForIsolation()).toBe(false);
    expect([...streaming.calls, ...withModel.calls]).toEqual([]);

    const idle = setup();
    expect(idle.update.reloadForIsolation()).toBe(true);
    expect(idle.calls).toEqual(['reload']);
  });

  it('does nothing before the service worker is connected', async () => {
    const update = new AppUpdate(() => ({ streaming: false, modelInUse: false }));
    update.versionWaiting();
    expect(await update.accept()).toBe(false);
    expect(update.reloadForIsolation()).toBe(false);
  });

  it('tracks offline readiness and the network', () => {
    const { update } = setup();
    expect(update.offlineReady).toBe(false);
    update.markOfflineReady();
    update.setOnline(false);
    expect(update.offlineReady).toBe(true);
    expect(update.online).toBe(false);
  });
});
