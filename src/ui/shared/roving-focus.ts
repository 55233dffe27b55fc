// One Tab stop for a row of buttons (the gallery's tag filter): Tab enters at the pressed button
// (or the first) and leaves past the row; the arrow keys, Home and End move along it. Without this,
// every tag sits between the page heading and the first character card.

import type { Action } from 'svelte/action';

const MOVES: Record<string, (index: number, count: number) => number> = {
  ArrowRight: (index, count) => (index + 1) % count,
  ArrowDown: (index, count) => (index + 1) % count,
  ArrowLeft: (index, count) => (index - 1 + count) % count,
  ArrowUp: (index, count) => (index - 1 + count) % count,
  Home: () => 0,
  End: (_index, count) => count - 1,
};

export const rovingFocus: Action<HTMLElement> = (row) => {
  const buttons = () => [...row.querySelectorAll<HTMLButtonElement>('button')];
  const makeTabStop = (stop: HTMLButtonElement | undefined) => {
    for (const button of buttons()) button.tabIndex = button === stop ? 0 : -1;
  };
  // The pressed button is the way in; the row is refreshed whenever its buttons or presses change.
  const refresh = () => {
    const all = buttons();
    if (!all.includes(document.activeElement as HTMLButtonElement)) makeTabStop(all.find((b) => b.getAttribute('aria-pressed') === 'true') ?? all[0]);
  };
  const onKeydown = (event: KeyboardEvent) => {
    const move = MOVES[event.key];
    const all = buttons();
    const index = all.indexOf(document.activeElement as HTMLButtonElement);
    if (!move || index < 0) return;
    event.preventDefault();
    const next = all[move(index, all.length)];
    makeTabStop(next);
    next.focus();
  };
  const onFocusout = (event: FocusEvent) => {
    if (!row.contains(event.relatedTarget as Node | null)) refresh();
  };
  refresh();
  const observer = new MutationObserver(refresh);
  observer.observe(row, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-pressed'] });
  row.addEventListener('keydown', onKeydown);
  row.addEventListener('focusout', onFocusout);
  return {
    destroy() {
      observer.disconnect();
      row.removeEventListener('keydown', onKeydown);
      row.removeEventListener('focusout', onFocusout);
    },
  };
};
