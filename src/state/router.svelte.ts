// Hash routes, so a reload (or the back button) returns to the same screen on any static host.

export type Route =
  | { name: 'gallery' }
  | { name: 'character'; id: string }
  | { name: 'chat'; id: string }
  | { name: 'models' }
  | { name: 'settings' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map((part) => decodeURIComponent(part));
  const [head, id] = parts;
  if (head === 'character' && id) return { name: 'character', id };
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
    case 'gallery':
      return '#/';
    default:
      return `#/${route.name}`;
  }
}

export class Router {
  route = $state.raw<Route>({ name: 'gallery' });

  constructor() {
    if (typeof window === 'undefined') return;
    this.route = parseRoute(window.location.hash);
    window.addEventListener('hashchange', () => {
      this.route = parseRoute(window.location.hash);
    });
  }

  go(route: Route): void {
    const hash = formatRoute(route);
    if (typeof window !== 'undefined' && window.location.hash !== hash) window.location.hash = hash;
    this.route = route;
  }
}
