/** Photos up to this size go as taken (with their EXIF); larger ones are made smaller in the browser first. */
const SHRINK_ABOVE = 3 * 1024 * 1024;
/** Longest side of a shrunk photo: enough to see a problem, a fraction of the bytes on a phone's connection. */
const MAX_SIDE = 2560;

/**
 * A phone photo of 4–12 MB becomes a JPEG of at most 2560 px (turned upright
 * from its EXIF orientation), so four of them upload quickly and stay under
 * the server's limits. A photo the browser cannot decode (HEIC outside
 * Safari, a file that is no image) goes unchanged: the server judges it and
 * says why it refuses it.
 */
export async function shrinkPhoto(file: File): Promise<File> {
  if (file.size <= SHRINK_ABOVE || typeof createImageBitmap !== 'function') return file;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return file;
  }
  try {
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext('2d');
    if (!context) return file;
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    if (!blob || blob.size >= file.size) return file;
    return new File([blob], `${file.name.replace(/\.[^.]*$/, '') || 'photo'}.jpg`, { type: 'image/jpeg' });
  } finally {
    bitmap.close();
  }
}

/** An Idempotency-Key for one report: a UUID, also where `crypto.randomUUID` is missing (plain http on a phone). */
export function newReportKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
