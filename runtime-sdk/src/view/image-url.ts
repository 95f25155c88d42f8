/** An image URL a page may show: https, an inline raster image, or the view's own blob: URL. */
export function isSafeImageUrl(url: string): boolean {
  const u = url.trim();
  return (
    /^https:\/\//i.test(u) ||
    /^data:image\/(png|gif|jpe?g|webp);base64,[a-z0-9+/=\s]*$/i.test(u) ||
    /^blob:/i.test(u)
  );
}
