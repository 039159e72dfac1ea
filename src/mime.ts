/**
 * The media types gate.cgi serves files as (docs/members-area.md, "Protect a whole folder"),
 * by file-name extension, compared without regard to case.
 * A small built-in table rather than the `mime-types` package or
 * /etc/mime.types: no file read per request and nothing to compile at
 * start-up (the table is built on first use). Text types carry
 * `; charset=utf-8`. A file whose extension is not here is never served.
 */

let table: Map<string, string> | undefined;

const UTF8 = "; charset=utf-8";

function build(): Map<string, string> {
  const t = new Map<string, string>();
  const add = (type: string, ...extensions: string[]) => {
    for (const ext of extensions) t.set(ext, type);
  };
  // Text (served as UTF-8).
  add("text/html" + UTF8, "html", "htm");
  add("text/css" + UTF8, "css");
  add("text/javascript" + UTF8, "js", "mjs");
  add("text/plain" + UTF8, "txt");
  add("text/csv" + UTF8, "csv");
  add("text/markdown" + UTF8, "md");
  add("text/calendar" + UTF8, "ics");
  add("text/vtt" + UTF8, "vtt");
  add("application/json", "json", "map");
  add("application/manifest+json", "webmanifest");
  add("application/xml", "xml");
  // Images.
  add("image/svg+xml", "svg");
  add("image/png", "png");
  add("image/jpeg", "jpg", "jpeg");
  add("image/gif", "gif");
  add("image/webp", "webp");
  add("image/avif", "avif");
  add("image/vnd.microsoft.icon", "ico");
  add("image/bmp", "bmp");
  add("image/tiff", "tif", "tiff");
  // Documents and archives.
  add("application/pdf", "pdf");
  add("application/epub+zip", "epub");
  add("application/rtf", "rtf");
  add("application/msword", "doc");
  add("application/vnd.ms-excel", "xls");
  add("application/vnd.ms-powerpoint", "ppt");
  add("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx");
  add("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx");
  add("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx");
  add("application/vnd.oasis.opendocument.text", "odt");
  add("application/vnd.oasis.opendocument.spreadsheet", "ods");
  add("application/vnd.oasis.opendocument.presentation", "odp");
  add("application/zip", "zip");
  add("application/gzip", "gz", "tgz");
  add("application/x-tar", "tar");
  add("application/x-bzip2", "bz2");
  add("application/x-xz", "xz");
  add("application/x-7z-compressed", "7z");
  add("application/wasm", "wasm");
  // Audio and video.
  add("audio/mpeg", "mp3");
  add("audio/ogg", "ogg", "oga", "opus");
  add("audio/wav", "wav");
  add("audio/flac", "flac");
  add("audio/mp4", "m4a");
  add("audio/aac", "aac");
  add("video/mp4", "mp4", "m4v");
  add("video/webm", "webm");
  add("video/ogg", "ogv");
  add("video/quicktime", "mov");
  // Fonts.
  add("font/woff", "woff");
  add("font/woff2", "woff2");
  add("font/ttf", "ttf");
  add("font/otf", "otf");
  return t;
}

/**
 * The file name's extension: what follows its last ".", lower-cased; "" when
 * there is none (a name that starts with its only dot, such as `.htaccess`, has none).
 *
 * @example
 * extensionOf("/www/members/Report.PDF") // "pdf"
 */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/**
 * The Content-Type gate.cgi serves `path` with, or undefined when its
 * extension is not a known static type.
 *
 * @example
 * staticType("/www/members/guide.pdf") // "application/pdf"
 * staticType("/www/members/index.html") // "text/html; charset=utf-8"
 * staticType("/www/members/notes.php") // undefined
 */
export function staticType(path: string): string | undefined {
  const ext = extensionOf(path);
  if (ext === "") return undefined;
  table ??= build();
  return table.get(ext);
}
