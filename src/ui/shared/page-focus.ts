// Where keyboard and screen-reader focus goes when the screen changes: to the new page's h1, so the
// next Tab starts on that page and the page's name is read out, instead of focus falling to <body>.

/**
 * Focuses the first h1 inside `container` (made focusable with tabindex=-1), waiting for it when
 * the page shows it only after reading storage. Returns a function that stops waiting.
 */
export function focusPageHeading(container: HTMLElement): () => void {
  const focusHeading = (): boolean => {
    const heading = container.querySelector<HTMLElement>('h1');
    if (!heading) return false;
    if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
    heading.focus();
    return true;
  };
  if (focusHeading()) return () => {};
  const observer = new MutationObserver(() => {
    if (focusHeading()) observer.disconnect();
  });
  observer.observe(container, { childList: true, subtree: true });
  return () => observer.disconnect();
}

/** True when nothing has focus: the control that had it went away (a Load button replaced by progress). */
export function focusFellToPage(): boolean {
  return !document.activeElement || document.activeElement === document.body;
}
