// An SVG shown through <img> must declare its namespace; inline-style SVG from the server may not.
const SVG_BASE64 = "data:image/svg+xml;base64,";

export function displayableQr(image: string): string {
  if (!image.startsWith(SVG_BASE64)) return image;
  const svg = atob(image.slice(SVG_BASE64.length));
  if (/^<svg[^>]*\sxmlns=/.test(svg)) return image;
  return SVG_BASE64 + btoa(svg.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"'));
}
