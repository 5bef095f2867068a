import { describe, expect, it } from "vitest";
import { displayableQr } from "./qrImage";

const svgUrl = (svg: string) => "data:image/svg+xml;base64," + btoa(svg);

describe("QR images", () => {
  it("adds the SVG namespace an <img> needs", () => {
    const fixed = displayableQr(svgUrl('<svg width="10" height="10"><path d="M0 0"/></svg>'));
    expect(atob(fixed.split(",")[1]!)).toContain('<svg xmlns="http://www.w3.org/2000/svg" width="10"');
  });

  it("leaves complete SVGs and PNGs alone", () => {
    const complete = svgUrl('<svg xmlns="http://www.w3.org/2000/svg"></svg>');
    expect(displayableQr(complete)).toBe(complete);
    expect(displayableQr("data:image/png;base64,AAAA")).toBe("data:image/png;base64,AAAA");
  });
});
