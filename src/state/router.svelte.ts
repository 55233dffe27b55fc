// Hash routes, so a reload (or the back button) returns to the same screen on any static host.

export type Route =
  | { name: 'gallery' }
  | { name: 'character'; id: string }
  | { name: 'edit'; id: string }
  | { name: 'new' }
  | { name: 'chat'; id: string }
  | { name: 'models' }
  | { name: 'settings' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map((part) => decodeURIComponent(part));
  const [head, id] = parts;
  if (head === 'character' && id) return parts[2] === 'edit' ? { name: 'edit', id } : { name: 'character', id };
  if (head === 'new') return { name: 'new' };
  if (head === 'chat' && id) return { name: 'chat', id };
  if (head === 'models') return { name: 'models' };
  if (head === 'settings') return { name: 'settings' };
  return { name: 'gallery' };
}

export function formatRoute(route: Route): string {
  switch (route.name) {
    case 'character':
    case 'chat':
      return `#/${route.name}/${encodeURIComponent(route.id)}`;
    case 'edit':
      return `#/character/${encodeURIComponent(route.id)}/edit`;
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

  go(route: Route): void {
    if (this.leaveGuard && !this.leaveGuard(route)) return;
    const hash = formatRoute(route);
    this.route = route;
    if (typeof window !== 'undefined' && window.location.hash !== hash) window.location.hash = hash;
  }
}
