// Hash routes, so a reload (or the back button) returns to the same screen on any static host.

export type Route =
  | { name: 'gallery' }
  | { name: 'character'; id: string }
  | { name: 'edit'; id: string }
  | { name: 'new' }
  /** The form that makes a group of characters. */
  | { name: 'new-group' }
  /** `message`: the message to scroll to and highlight (a search result). */
  | { name: 'chat'; id: string; message?: string }
  /** Search in chats: every character's, or one character's. */
  | { name: 'search'; character?: string }
  /** A character's last chat, or a new one when it has none (what clicking a character opens). */
  | { name: 'talk'; id: string }
  /** `from`: the chat that sent the person here, returned to once a model is loaded. */
  | { name: 'models'; from?: string }
  | { name: 'settings' }
  /** A standalone lorebook in the editor. */
  | { name: 'lorebook'; id: string }
  /** A character's own lorebook (its card's character_book) in the editor. */
  | { name: 'character-lorebook'; id: string }
  /** Evaluating a character: test sets, runs and their results. */
  | { name: 'evaluate'; id: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map((part) => decodeURIComponent(part));
  const [head, id] = parts;
  if (head === 'character' && id) {
    if (parts[2] === 'edit') return { name: 'edit', id };
    if (parts[2] === 'talk') return { name: 'talk', id };
    if (parts[2] === 'lorebook') return { name: 'character-lorebook', id };
    if (parts[2] === 'evaluate') return { name: 'evaluate', id };
    return { name: 'character', id };
  }
  if (head === 'new') return { name: 'new' };
  if (head === 'new-group') return { name: 'new-group' };
  if (head === 'chat' && id) return parts[2] === 'message' && parts[3] ? { name: 'chat', id, message: parts[3] } : { name: 'chat', id };
  if (head === 'search') return id ? { name: 'search', character: id } : { name: 'search' };
  if (head === 'models') return parts[1] === 'from' && parts[2] ? { name: 'models', from: parts[2] } : { name: 'models' };
  if (head === 'settings') return { name: 'settings' };
  if (head === 'lorebook' && id) return { name: 'lorebook', id };
  return { name: 'gallery' };
}

export function formatRoute(route: Route): string {
  switch (route.name) {
    case 'character':
      return `#/character/${encodeURIComponent(route.id)}`;
    case 'chat':
      return `#/chat/${encodeURIComponent(route.id)}${route.message ? `/message/${encodeURIComponent(route.message)}` : ''}`;
    case 'search':
      return route.character ? `#/search/${encodeURIComponent(route.character)}` : '#/search';
    case 'lorebook':
      return `#/lorebook/${encodeURIComponent(route.id)}`;
    case 'edit':
      return `#/character/${encodeURIComponent(route.id)}/edit`;
    case 'talk':
      return `#/character/${encodeURIComponent(route.id)}/talk`;
    case 'character-lorebook':
      return `#/character/${encodeURIComponent(route.id)}/lorebook`;
    case 'evaluate':
      return `#/character/${encodeURIComponent(route.id)}/evaluate`;
    case 'models':
      return route.from ? `#/models/from/${encodeURIComponent(route.from)}` : '#/models';
    case 'gallery':
      return '#/';
    default:
      return `#/${route.name}`;
  }
}

export class Router {
  route = $state.raw<Route>({ name: 'gallery' });
  /** Asked before leaving the current screen (an editor with unsaved changes); false stays put. */
  leaveGuard: ((to: Route) => boolean) | null = null;

  constructor() {
    if (typeof window === 'undefined') return;
    this.route = parseRoute(window.location.hash);
    window.addEventListener('hashchange', () => {
      const next = parseRoute(window.location.hash);
      if (formatRoute(next) === formatRoute(this.route)) return; // go() got here first
      if (this.leaveGuard && !this.leaveGuard(next)) {
        // Put the address back (no new hashchange): the person stays on the screen they were on.
        history.replaceState(history.state, '', formatRoute(this.route));
        return;
      }
      this.route = next;
    });
  }

  /** `replace`: the address replaces the current one, so Back skips it (a screen that only redirects). */
  go(route: Route, { replace = false } = {}): void {
    if (this.leaveGuard && !this.leaveGuard(route)) return;
    const hash = formatRoute(route);
    this.route = route;
    if (typeof window === 'undefined' || window.location.hash === hash) return;
    if (replace) history.replaceState(history.state, '', hash);
    else window.location.hash = hash;
  }
}
