/**
 * Calls `tick` every `interval()` ms (a number or a function, so a page can poll faster while a
 * build runs) while `tick` says there is more to watch. Stops when the page is
 * hidden or left (pagehide) and resumes, with an immediate tick, when it is shown again.
 */
export type Poller = {
  /** Polls from now on; `now` ticks at once instead of after one interval. */
  start(now?: boolean): void;
  stop(): void;
  readonly running: boolean;
};

export function createPoller(tick: () => Promise<boolean>, interval: number | (() => number) = 5000): Poller {
  const intervalMs = () => (typeof interval === "number" ? interval : interval());
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wanted = false;
  let inFlight = false;

  const schedule = () => {
    clearTimeout(timer);
    timer = wanted && document.visibilityState === "visible" ? setTimeout(run, intervalMs()) : undefined;
  };
  async function run() {
    if (inFlight) return;
    inFlight = true;
    try {
      wanted = await tick();
    } catch {
      // The tick shows its own error; keep trying while the page is open.
    } finally {
      inFlight = false;
      schedule();
    }
  }
  const onVisibility = () => {
    if (document.visibilityState === "visible" && wanted) void run();
    else schedule();
  };
  const onPageHide = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted && wanted) void run();
  };
  document.addEventListener("visibilitychange", onVisibility);
  window.addEventListener("pagehide", onPageHide);
  window.addEventListener("pageshow", onPageShow);

  return {
    start(now = false) {
      wanted = true;
      if (now) void run();
      else schedule();
    },
    stop() {
      wanted = false;
      schedule();
    },
    get running() {
      return timer !== undefined;
    },
  };
}
