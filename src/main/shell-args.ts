import path from 'node:path';
import { z } from 'zod';

// Arguments of the shell channels (src/shared/bridge.ts `shell`), validated in main: the renderer is
// untrusted input like any HTTP client.

const MAX_SAVE_BYTES = 200 * 1024 * 1024;

const FileFilter = z
  .object({
    name: z.string().max(100),
    extensions: z
      .array(z.string().regex(/^(\*|[A-Za-z0-9]{1,10})$/, 'an extension is letters and digits'))
      .max(20),
  })
  .strict();

export const SaveFileArgs = z.tuple([
  z.string().max(255),
  z.string().refine((s) => Buffer.byteLength(s) <= MAX_SAVE_BYTES, 'the file is too large'),
  z.array(FileFilter).max(10).optional(),
]);

export const PrintToPdfArgs = z.tuple([z.string().max(255)]);

/**
 * The suggested name only pre-fills the save dialog, but it must stay a plain file name: no folders,
 * no traversal, no characters Windows refuses.
 */
export function safeFileName(suggested: string, fallback: string): string {
  const base = path.basename(suggested.replaceAll('\\', '/'));
  const cleaned = base
    .replace(/[<>:"/\\|?*]/g, '_')
    .replace(/\p{Cc}/gu, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 200);
  return cleaned === '' ? fallback : cleaned;
}

/** Ensures the chosen path ends with the extension (the PDF dialog's user may type "report"). */
export function withExtension(file: string, ext: string): string {
  return path.extname(file).toLowerCase() === `.${ext}` ? file : `${file}.${ext}`;
}

/**
 * With a file-type filter (CSV), a name typed without an extension gets the filter's first one, as
 * the Windows and macOS dialogs do and GTK's does not.
 */
export function withFilterExtension(
  file: string,
  filters: { name: string; extensions: string[] }[] | undefined,
): string {
  const allowed = (filters ?? []).flatMap((f) => f.extensions).filter((e) => e !== '*');
  const first = allowed[0];
  if (!first) return file;
  const ext = path.extname(file).slice(1).toLowerCase();
  return allowed.some((e) => e.toLowerCase() === ext) ? file : `${file}.${first}`;
}
