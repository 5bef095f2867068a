// Calls `load` when the sentinel element scrolls into view (lists load their next page this way).
import { useEffect, useLayoutEffect, useRef } from "react";

export function useInfiniteScroll<T extends Element>(load: () => void, enabled: boolean) {
  const sentinel = useRef<T>(null);
  const latest = useRef(load);
  useLayoutEffect(() => {
    latest.current = load;
  });
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !enabled) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) latest.current();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [enabled]);
  return sentinel;
}
