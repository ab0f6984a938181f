// The flags of every Chromium the end-to-end tests and the benchmarks start (Debian's, no Playwright browser
// download). The last one: headless Chromium (156) preloads the WebUI omnibox popup of each new window in a
// renderer of its own, which burnt about a second of CPU per page opened; an app window has no address bar,
// and on two cores that renderer competed with the page and the server it measured.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup',
];
