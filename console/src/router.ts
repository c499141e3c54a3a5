/**
 * Hash routing (`/console/#/clusters/default/services/web`): the server serves one index.html, so any
 * address inside the console can be bookmarked and reloaded without server-side routes.
 */
import { useEffect, useState } from 'react';

export interface Route {
  readonly path: string[];
  readonly query: URLSearchParams;
}

function parse(): Route {
  const h = window.location.hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const p = q < 0 ? h : h.slice(0, q);
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q < 0 ? '' : h.slice(q + 1)) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** `href('clusters', name, 'services', svc)` → `#/clusters/<name>/services/<svc>` (each part escaped). */
export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function navigate(to: string): void {
  window.location.hash = to.startsWith('#') ? to.slice(1) : to;
}
