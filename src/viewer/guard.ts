/// <reference lib="dom" />
// Keeps the page where it is. Its Content-Security-Policy (page.ts) stops every request, every
// form submission (form-action) and every frame; navigate-to, the directive that would stop
// navigations, was dropped from CSP and is in no browser. So the page stops the other ways out
// itself, before anything else runs: window.open gives nothing, and every navigation away from
// the page (a link, a script setting location, a form, a dropped file) is cancelled through the
// Navigation API, except its own #step=N; where that API is missing, clicks on links and form
// submissions are stopped.

interface NavigateEvent extends Event {
  readonly destination: { readonly url: string };
  readonly hashChange: boolean;
  readonly cancelable: boolean;
}

/** Whether url is this page, whatever its fragment. */
export function samePage(url: string, here: string): boolean {
  const strip = (u: string) => u.replace(/#.*$/s, '');
  return strip(url) === strip(here);
}

export function guardPage(w: Window): void {
  Object.defineProperty(w, 'open', { value: () => null, writable: false, configurable: false });
  const navigation = (w as Window & { navigation?: EventTarget }).navigation;
  if (navigation !== undefined) {
    navigation.addEventListener('navigate', (e) => {
      const n = e as NavigateEvent;
      if (!samePage(n.destination.url, w.location.href)) n.preventDefault();
    });
  }
  const link = (e: Event) => {
    const a = (e.target as Element | null)?.closest?.('a[href], area[href]');
    if (a != null && !samePage((a as HTMLAnchorElement).href, w.location.href)) e.preventDefault();
  };
  w.addEventListener('click', link, true);
  w.addEventListener('auxclick', link, true);
  w.addEventListener('submit', (e) => e.preventDefault(), true);
  w.addEventListener('dragover', (e) => e.preventDefault());
  w.addEventListener('drop', (e) => e.preventDefault());
}
