import { describe, expect, it } from "vitest";
import { alertPlan } from "./notify";

const ALL = { sound: true, desktop: true, transfers: true, mentions: true, messages: true };

describe("alertPlan", () => {
  it("is loud with a browser notification in a hidden tab, quiet and silent-on-screen in a visible one", () => {
    const hidden = alertPlan(ALL, true);
    const visible = alertPlan(ALL, false);
    expect(hidden.browser).toBe(true);
    expect(visible.browser).toBe(false);
    expect(visible.volume).not.toBeNull();
    expect(visible.volume!).toBeLessThan(hidden.volume!);
  });

  it("follows the user's choices", () => {
    expect(alertPlan({ ...ALL, sound: false }, true)).toEqual({ volume: null, browser: true });
    expect(alertPlan({ ...ALL, desktop: false }, true).browser).toBe(false);
  });
});
