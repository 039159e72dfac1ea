/**
 * Serving the files of a protected folder (docs/members-area.md, "Protect a whole folder"):
 * the type table (src/mime.ts), which targets gate.cgi serves,
 * runs or refuses (src/request/gate.ts checkTarget, on real files), and the headers,
 * validators, conditional requests and ranges of src/request/static.ts (RFC 9110).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkTarget, GateTargetError } from "../../src/request/gate.js";
import { extensionOf, staticType } from "../../src/mime.js";
import { etagOf, formatHttpDate, parseEntityTags, parseHttpDate, parseRange, planResponse, type FileFacts } from "../../src/request/static.js";

describe("staticType", () => {
  it("knows the usual web, document, media and font types; text types are UTF-8", () => {
    const want: Record<string, string> = {
      "a.html": "text/html; charset=utf-8", "a.htm": "text/html; charset=utf-8", "a.css": "text/css; charset=utf-8",
      "a.js": "text/javascript; charset=utf-8", "a.mjs": "text/javascript; charset=utf-8", "a.json": "application/json",
      "a.txt": "text/plain; charset=utf-8", "a.csv": "text/csv; charset=utf-8", "a.md": "text/markdown; charset=utf-8",
      "a.xml": "application/xml", "a.svg": "image/svg+xml", "a.png": "image/png", "a.jpg": "image/jpeg",
      "a.jpeg": "image/jpeg", "a.gif": "image/gif", "a.webp": "image/webp", "a.avif": "image/avif",
      "a.ico": "image/vnd.microsoft.icon", "a.pdf": "application/pdf", "a.zip": "application/zip",
      "a.gz": "application/gzip", "a.tar": "application/x-tar", "a.mp3": "audio/mpeg", "a.ogg": "audio/ogg",
      "a.wav": "audio/wav", "a.mp4": "video/mp4", "a.webm": "video/webm", "a.woff": "font/woff",
      "a.woff2": "font/woff2", "a.ttf": "font/ttf", "a.otf": "font/otf",
      "a.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    };
    for (const [name, type] of Object.entries(want)) expect(staticType("/www/members/" + name), name).toBe(type);
  });

  it("ignores the case of the extension and uses the last one", () => {
    expect(staticType("/www/Report.PDF")).toBe("application/pdf");
    expect(staticType("/www/backup.tar.gz")).toBe("application/gzip");
    expect(extensionOf("/www/a.b/Read.Me.TXT")).toBe("txt");
  });

  it("has no type for programs, unknown extensions, names without one, or dot files", () => {
    for (const name of ["a.pcgi", "a.cgi", "a.php", "a.pl", "a.sh", "a.py", "a.rb", "a.xyz", "README", "a.", ".htaccess", ".pdf", "dir.pdf/x"]) {
      expect(staticType("/www/" + name), name).toBeUndefined();
    }
    expect(extensionOf("/www/x.d/.htpasswd")).toBe("");
  });
});

describe("checkTarget: run, serve or refuse (real files)", () => {
  const root = mkdtempSync(join(tmpdir(), "dbs-static-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const env = { DOCUMENT_ROOT: root };
  const file = (name: string, text: string, mode: number) => {
    writeFileSync(join(root, name), text);
    chmodSync(join(root, name), mode);
    return join(root, name);
  };
  const check = (path: string, extra: Record<string, string> = {}) => checkTarget({ form: "argument", path }, { ...env, ...extra });
  const refusal = (path: string): [number, string] => {
    try {
      check(path);
    } catch (err) {
      if (err instanceof GateTargetError) return [err.status, err.message];
      throw err;
    }
    throw new Error(`${path} was not refused`);
  };

  it("serves a file of a known type, with or without its run bit when it has no #! line", () => {
    expect(check(file("guide.pdf", "%PDF-1.4\n", 0o644)).contentType).toBe("application/pdf");
    expect(check(file("logo.png", "\x89PNG\r\n", 0o755)).contentType).toBe("image/png");
  });

  it("runs an executable #! file whatever its name, and serves nothing of it", () => {
    const t = check(file("tool.txt", "#!/bin/sh\necho hi\n", 0o755));
    expect(t.contentType).toBeUndefined();
    expect(t.realPath).toBe(join(root, "tool.txt"));
  });

  it("refuses a script without its run bit, an unknown type and an executable without #! line (500)", () => {
    for (const name of ["page.pcgi", "page.php", "page.pl", "page.sh", "page.py", "page.cgi", "page.rb"]) {
      const path = file(name, "#!/bin/sh\necho secret source\n", 0o644);
      expect(refusal(path), name).toEqual([500, `target ${JSON.stringify(path)} is not an executable regular file`]);
    }
    const unknown = file("data.xyz", "secret", 0o644);
    expect(refusal(unknown)).toEqual([500, `target ${JSON.stringify(unknown)} is neither an executable program nor a file of a known static type`]);
    const noShebang = file("page2.php", "<?php echo 1;", 0o755);
    expect(refusal(noShebang)).toEqual([500, `target ${JSON.stringify(noShebang)} has no #! line and is not an ELF program`]);
  });

  it("serves a folder's index.html, checked like any file; a folder without one is 403", () => {
    mkdirSync(join(root, "members"));
    expect(refusal(join(root, "members") + "/")).toEqual([403, `target ${JSON.stringify(join(root, "members") + "/")} is a folder without index.html`]);
    writeFileSync(join(root, "members/index.html"), "<p>hi</p>\n");
    const t = check(join(root, "members") + "/");
    expect([t.realPath, t.contentType]).toEqual([join(root, "members/index.html"), "text/html; charset=utf-8"]);
    mkdirSync(join(root, "scripts"));
    writeFileSync(join(root, "scripts/index.html"), "x");
    rmSync(join(root, "scripts/index.html"));
    mkdirSync(join(root, "scripts/index.html"));
    expect(refusal(join(root, "scripts"))[0]).toBe(403);
  });

  it("answers 404 for a file with path info after it (it is not a program)", () => {
    const path = file("notes.txt", "x", 0o644);
    expect(() => check(path, { PATH_INFO: "/more" })).toThrow(/is a file, not a program: it takes no path info/);
    try {
      checkTarget({ form: "path-translated", path, pathInfo: "/more" }, env);
    } catch (err) {
      expect((err as GateTargetError).status).toBe(404);
    }
  });
});

describe("HTTP dates", () => {
  it("formats an IMF-fixdate", () => {
    expect(formatHttpDate(784111777)).toBe("Sun, 06 Nov 1994 08:49:37 GMT");
    expect(formatHttpDate(0)).toBe("Thu, 01 Jan 1970 00:00:00 GMT");
    expect(formatHttpDate(1704164645)).toBe("Tue, 02 Jan 2024 03:04:05 GMT");
  });

  it("reads all three forms of RFC 9110", () => {
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(784111777);
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT")).toBe(784111777);
    expect(parseHttpDate("Sun Nov  6 08:49:37 1994")).toBe(784111777);
    expect(parseHttpDate("Sun Nov 16 08:49:37 1994")).toBe(784111777 + 10 * 86400);
  });

  it("reads a two-digit year more than 50 years ahead as the previous century", () => {
    const now2026 = 1795000000; // 2026-11
    expect(parseHttpDate("Tuesday, 01-Jan-80 00:00:00 GMT", now2026)).toBe(Date.UTC(1980, 0, 1) / 1000);
    expect(parseHttpDate("Tuesday, 01-Jan-76 00:00:00 GMT", now2026)).toBe(Date.UTC(2076, 0, 1) / 1000);
    expect(parseHttpDate("Saturday, 01-Jan-50 00:00:00 GMT", now2026)).toBe(Date.UTC(2050, 0, 1) / 1000);
  });

  it("rejects garbage, impossible dates and other formats", () => {
    for (const bad of ["", "garbage", "0", "1", "2024-01-02T03:04:05Z", "Tue, 02 Jan 2024 03:04:05", "Tue, 2 Jan 2024 03:04:05 GMT",
      "Tue, 31 Feb 2024 03:04:05 GMT", "Tue, 02 Foo 2024 03:04:05 GMT", "Tue, 02 Jan 2024 24:00:00 GMT",
      "Tue, 02 Jan 2024 03:60:05 GMT", "Tue, 02 Jan 2024 03:04:05 UTC", "Tue, 02 Jan 99999 03:04:05 GMT", "Tue, 00 Jan 2024 03:04:05 GMT"]) {
      expect(parseHttpDate(bad), bad).toBeUndefined();
    }
  });
});

describe("ETag", () => {
  it("is size, modification time in nanoseconds and inode, in hexadecimal, quoted", () => {
    expect(etagOf(1234n, 1700000000123456789n, 42n)).toBe('"4d2-17979cfe3d85cd15-2a"');
    expect(etagOf(0n, 0n, 0n)).toBe('"0-0-0"');
  });

  it("lists are parsed with weak marks, empty elements and spaces; malformed ones are undefined", () => {
    expect(parseEntityTags('W/"a", "b"')).toEqual([{ weak: true, tag: '"a"' }, { weak: false, tag: '"b"' }]);
    expect(parseEntityTags(' , "a" ,, ')).toEqual([{ weak: false, tag: '"a"' }]);
    expect(parseEntityTags("*")).toBe("*");
    expect(parseEntityTags('"a,b"')).toEqual([{ weak: false, tag: '"a,b"' }]);
    for (const bad of ["a", '"a', '"a" "b"', 'w/"a"', '"a b"', "", " , ", '"a",*']) expect(parseEntityTags(bad), bad).toBeUndefined();
  });
});

describe("parseRange", () => {
  const size = 1000;
  it("reads one range in each form", () => {
    expect(parseRange("bytes=0-99", size)).toEqual({ start: 0, end: 99 });
    expect(parseRange("bytes=500-", size)).toEqual({ start: 500, end: 999 });
    expect(parseRange("bytes=-100", size)).toEqual({ start: 900, end: 999 });
    expect(parseRange("bytes=-5000", size)).toEqual({ start: 0, end: 999 });
    expect(parseRange("bytes=990-5000", size)).toEqual({ start: 990, end: 999 });
    expect(parseRange("bytes=7-7", size)).toEqual({ start: 7, end: 7 });
    expect(parseRange("Bytes=1-2", size)).toEqual({ start: 1, end: 2 });
    expect(parseRange("bytes= 1-2 ", size)).toEqual({ start: 1, end: 2 });
    expect(parseRange("bytes=1-2, ,", size)).toEqual({ start: 1, end: 2 });
    expect(parseRange("bytes=0000000000000000000000001-2", size)).toEqual({ start: 1, end: 2 });
  });

  it("reads numbers past 2^53 exactly: a huge end is the file's end, a huge start is past it", () => {
    expect(parseRange("bytes=0-99999999999999999999999999", size)).toEqual({ start: 0, end: 999 });
    expect(parseRange("bytes=99999999999999999999999999-", size)).toBe("unsatisfiable");
    expect(parseRange("bytes=-99999999999999999999999999", size)).toEqual({ start: 0, end: 999 });
    expect(parseRange("bytes=9007199254740993-9007199254740992", size)).toBeUndefined();
  });

  it("is unsatisfiable past the end, for bytes=-0, and for any range of an empty file", () => {
    expect(parseRange("bytes=1000-", size)).toBe("unsatisfiable");
    expect(parseRange("bytes=1000-2000", size)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", size)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-", 0)).toBe("unsatisfiable");
    expect(parseRange("bytes=-1", 0)).toBe("unsatisfiable");
  });

  it("means the whole file for no header, several ranges, a reversed range and anything malformed", () => {
    for (const h of [undefined, "", "bytes=", "bytes=,", "bytes=5-2", "bytes=0-1,5-6", "bytes=0-1,x", "items=0-1", "bytes 0-1",
      "bytes=-", "bytes=1-2-3", "bytes=a-b", "bytes=0x10-", "bytes=1 - 2", "bytes=+1-2", "bytes=1.5-2", "=0-1", "bytes==0-1"]) {
      expect(parseRange(h, size), String(h)).toBeUndefined();
    }
  });
});

describe("planResponse", () => {
  const now = 1704200000; // 10 hours after the modification below
  const file: FileFacts = { size: 1000, mtimeSec: 1704164645, etag: '"3e8-1-2"', lastModified: "Tue, 02 Jan 2024 03:04:05 GMT" };
  const plan = (env: Record<string, string>, method = "GET") => planResponse(method, env, file, "application/pdf", now);
  const validators = [["Last-Modified", file.lastModified], ["ETag", file.etag]];

  it("answers 200 with the whole file, its type, length, validators, Accept-Ranges and private, no-cache", () => {
    expect(plan({})).toEqual({
      status: 200,
      headers: [["Status", "200 OK"], ["Content-Type", "application/pdf"], ["Content-Length", "1000"], ...validators,
        ["Accept-Ranges", "bytes"], ["Cache-Control", "private, no-cache"], ["X-Content-Type-Options", "nosniff"]],
      body: { start: 0, end: 999 },
    });
  });

  it("answers HEAD with the same headers and no body, and ignores Range for it", () => {
    const head = plan({ HTTP_RANGE: "bytes=0-1" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers).toEqual(plan({}).headers);
    expect(head.body).toBeUndefined();
  });

  it("answers 304 for a matching If-None-Match (weak comparison, lists, *) without a body", () => {
    for (const inm of ['"3e8-1-2"', 'W/"3e8-1-2"', '"x", "3e8-1-2"', "*"]) {
      expect(plan({ HTTP_IF_NONE_MATCH: inm }), inm).toEqual({
        status: 304,
        headers: [["Status", "304 Not Modified"], ...validators, ["Cache-Control", "private, no-cache"]],
      });
      expect(plan({ HTTP_IF_NONE_MATCH: inm }, "HEAD").status).toBe(304);
    }
    expect(plan({ HTTP_IF_NONE_MATCH: '"other"' }).status).toBe(200);
    expect(plan({ HTTP_IF_NONE_MATCH: "garbage" }).status).toBe(200);
  });

  it("answers 304 for If-Modified-Since at or after the modification, only without If-None-Match", () => {
    expect(plan({ HTTP_IF_MODIFIED_SINCE: file.lastModified }).status).toBe(304);
    expect(plan({ HTTP_IF_MODIFIED_SINCE: "Wed, 03 Jan 2024 00:00:00 GMT" }).status).toBe(304);
    expect(plan({ HTTP_IF_MODIFIED_SINCE: "Tue, 02 Jan 2024 03:04:04 GMT" }).status).toBe(200);
    expect(plan({ HTTP_IF_MODIFIED_SINCE: file.lastModified, HTTP_IF_NONE_MATCH: '"other"' }).status).toBe(200);
    for (const garbage of ["garbage", "", "0", "-1", "Tue, 31 Feb 2024 03:04:05 GMT"]) expect(plan({ HTTP_IF_MODIFIED_SINCE: garbage }).status, garbage).toBe(200);
  });

  it("answers 412 when If-Match fails, or If-Unmodified-Since is before the modification", () => {
    expect(plan({ HTTP_IF_MATCH: '"other"' })).toEqual({
      status: 412,
      headers: [["Status", "412 Precondition Failed"], ["Content-Type", "text/plain; charset=utf-8"], ["Content-Length", "20"], ["Cache-Control", "private, no-cache"]],
      text: "Precondition Failed\n",
    });
    expect(plan({ HTTP_IF_MATCH: '"other"' }, "HEAD").text).toBeUndefined();
    expect(plan({ HTTP_IF_MATCH: 'W/"3e8-1-2"' }).status).toBe(412);
    expect(plan({ HTTP_IF_MATCH: '"3e8-1-2"' }).status).toBe(200);
    expect(plan({ HTTP_IF_MATCH: "*" }).status).toBe(200);
    expect(plan({ HTTP_IF_UNMODIFIED_SINCE: "Tue, 02 Jan 2024 03:04:04 GMT" }).status).toBe(412);
    expect(plan({ HTTP_IF_UNMODIFIED_SINCE: file.lastModified }).status).toBe(200);
    expect(plan({ HTTP_IF_UNMODIFIED_SINCE: "garbage" }).status).toBe(200);
  });

  it("answers one range with 206 and Content-Range", () => {
    expect(plan({ HTTP_RANGE: "bytes=100-199" })).toEqual({
      status: 206,
      headers: [["Status", "206 Partial Content"], ["Content-Type", "application/pdf"], ["Content-Length", "100"],
        ["Content-Range", "bytes 100-199/1000"], ...validators, ["Accept-Ranges", "bytes"], ["Cache-Control", "private, no-cache"],
        ["X-Content-Type-Options", "nosniff"]],
      body: { start: 100, end: 199 },
    });
  });

  it("answers an unsatisfiable range with 416, Content-Range bytes */size and no body", () => {
    expect(plan({ HTTP_RANGE: "bytes=1000-" })).toEqual({
      status: 416,
      headers: [["Status", "416 Range Not Satisfiable"], ["Content-Range", "bytes */1000"], ["Content-Length", "0"], ["Cache-Control", "private, no-cache"]],
    });
  });

  it("answers several ranges, a reversed or a malformed one with the whole file", () => {
    for (const range of ["bytes=0-1,5-6", "bytes=5-2", "bytes=x", ""]) {
      const p = plan({ HTTP_RANGE: range });
      expect([p.status, p.body], range).toEqual([200, { start: 0, end: 999 }]);
    }
  });

  it("honours If-Range only on a strong match of the ETag or the exact Last-Modified", () => {
    const range = { HTTP_RANGE: "bytes=0-9" };
    expect(plan({ ...range, HTTP_IF_RANGE: file.etag }).status).toBe(206);
    expect(plan({ ...range, HTTP_IF_RANGE: file.lastModified }).status).toBe(206);
    for (const other of ['"other"', 'W/"3e8-1-2"', "Tue, 02 Jan 2024 03:04:06 GMT", "Wed, 03 Jan 2024 00:00:00 GMT", "garbage", '"3e8-1-2", "x"']) {
      expect(plan({ ...range, HTTP_IF_RANGE: other }).status, other).toBe(200);
    }
    // A Last-Modified in the current second is not yet a strong validator.
    expect(planResponse("GET", { ...range, HTTP_IF_RANGE: file.lastModified }, file, "application/pdf", file.mtimeSec + 0.5).status).toBe(200);
  });

  it("answers an empty file with 200 and no body", () => {
    const empty = { ...file, size: 0 };
    const p = planResponse("GET", {}, empty, "text/plain; charset=utf-8", now);
    expect([p.status, p.body, p.headers[2]]).toEqual([200, undefined, ["Content-Length", "0"]]);
  });
});
