// Files through the front door: upload, attach, share, view, import, revoke and delete, and what a file may carry.
import fs from "node:fs";
import sharp from "sharp";
import { startTestServer, TEST_DIALECT, type TestServer } from "./helpers/server";
import { codes, createConversation, dbId, DELETE_CONVERSATION, gql, importShare, ok, revoke, shareConversation, signUp, type Account } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  // View counts flush once an hour: a flush of earlier tests' views must not land inside a statement count.
  server = await startTestServer({ MAX_UPLOAD_BYTES: String(64 * 1024), MAX_UPLOAD_BYTES_PER_USER: String(256 * 1024), VIEW_COUNT_FLUSH_MS: "3600000" });
});
afterAll(() => server.close());

async function upload(token: string | undefined, bytes: Buffer, name = "file") {
  const res = await fetch(`${server.url}/uploads?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: bytes,
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

async function attachmentId(token: string, bytes: Buffer, name: string): Promise<string> {
  const { status, body } = await upload(token, bytes, name);
  expect(status).toBe(201);
  return body.attachment.id;
}

const APPEND = `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id attachments { id kind type size name width height url thumbnailUrl } } } }`;
const SHARED_FILES = `query($link: String!) { sharedConversation(link: $link) { messages { content attachments { id kind type name size width height url thumbnailUrl } } } }`;

async function postWithFiles(account: Account, conversationId: string, ids: string[], content = "Look at this") {
  return gql(server, APPEND, { input: { conversationId, role: "USER", content, attachmentIds: ids } }, account.token);
}

/** The path of an absolute file URL under SHARE_BASE_URL, fetched from the test server. */
function fetchShared(url: string) {
  return fetch(server.url + new URL(url).pathname);
}

/** A JPEG as a phone takes it: rotated by an EXIF orientation tag, with camera metadata. */
function phonePhoto(background = "red"): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 20, channels: 3, background } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Copyright: "where-it-was-taken-42", Make: "PhoneCo" } })
    .toBuffer();
}

async function blobCount(): Promise<number> {
  const [row] = await server.sql(`SELECT COUNT(*) AS n FROM attachment_blobs`);
  return Number(row.n);
}

describe("uploading", () => {
  it("a photo is stored upright, without its EXIF metadata, with a thumbnail", async () => {
    const owner = await signUp(server);
    const photo = await phonePhoto();
    expect(photo.includes(Buffer.from("where-it-was-taken-42"))).toBe(true);
    const { status, body } = await upload(owner.token, photo, "IMG_0001.jpg");
    expect(status).toBe(201);
    expect(body.attachment).toMatchObject({ kind: "IMAGE", type: "image/jpeg", name: "IMG_0001.jpg", width: 20, height: 40 });
    const res = await fetch(server.url + body.attachment.url, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const served = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(served).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect([meta.width, meta.height]).toEqual([20, 40]);
    expect(served.includes(Buffer.from("where-it-was-taken-42"))).toBe(false);
    const thumb = await fetch(server.url + body.attachment.thumbnailUrl, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).format).toBe("webp");
  });

  it("the type comes from the bytes: a PDF named .png is a PDF, and offered only as a download", async () => {
    const owner = await signUp(server);
    const { body } = await upload(owner.token, Buffer.from("%PDF-1.4\n% a tiny document\n"), "not-an-image.png");
    expect(body.attachment).toMatchObject({ kind: "FILE", type: "application/pdf", width: null, thumbnailUrl: null });
    const res = await fetch(server.url + body.attachment.url, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="not-an-image.png"; filename*=UTF-8''not-an-image.png`);
  });

  it("files of other types are refused with a clear error", async () => {
    const owner = await signUp(server);
    const zip = Buffer.from("504b0304140000000800", "hex");
    const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`);
    const { status, body } = await upload(owner.token, zip, "archive.zip");
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(body.errors[0].message).toMatch(/Only PNG, JPEG, WebP or GIF images, PDF documents and UTF-8 plain text/);
    expect((await upload(owner.token, svg, "x.svg")).status).toBe(400);
    expect((await upload(owner.token, Buffer.alloc(0), "empty.txt")).status).toBe(400);
  });

  it("a file over the per-file cap, or over the user's total, is refused with 413", async () => {
    const owner = await signUp(server);
    const big = await upload(owner.token, Buffer.alloc(64 * 1024 + 1, "a"), "big.txt");
    expect(big.status).toBe(413);
    expect(big.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    for (let i = 0; i < 4; i++) expect((await upload(owner.token, Buffer.alloc(60 * 1024, String(i)), `part${i}.txt`)).status).toBe(201);
    expect((await upload(owner.token, Buffer.alloc(60 * 1024, "z"), "one-too-many.txt")).status).toBe(413);
  });

  it("uploads past the hourly allowance are refused with 429, Retry-After and RATE_LIMITED; a bad file path is a 404", async () => {
    const owner = await signUp(server);
    for (let i = 0; i < 100; i++) expect((await upload(owner.token, Buffer.from(`note ${i}`), `${i}.txt`)).status).toBe(201);
    const refused = await upload(owner.token, Buffer.from("one more"), "more.txt");
    expect([refused.status, refused.body.errors[0].extensions.code, refused.headers.get("cache-control")]).toEqual([429, "RATE_LIMITED", "no-store"]);
    expect(Number(refused.headers.get("retry-after"))).toBe(refused.body.errors[0].extensions.retryAfterSeconds);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const odd = await fetch(`${server.url}/files/not-an-id/thumbnail`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect([odd.status, ((await odd.json()) as any).errors[0].extensions.code]).toEqual([404, "NOT_FOUND"]);
  });

  it("uploads and files need the session's bearer token; another user's file does not exist for them", async () => {
    const owner = await signUp(server);
    const other = await signUp(server);
    expect((await upload(undefined, Buffer.from("hello"), "a.txt")).status).toBe(401);
    const id = await attachmentId(owner.token, Buffer.from("hello"), "a.txt");
    expect((await fetch(`${server.url}/files/${id}`)).status).toBe(401);
    expect((await fetch(`${server.url}/files/${id}`, { headers: { authorization: `Bearer ${other.token}` } })).status).toBe(404);
    const conversationId = await createConversation(server, other.token, "Theirs");
    expect((await postWithFiles(other, conversationId, [id])).errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("attachments behind a link", () => {
  it("share, view, import, then delete the original: the link dies with its files, the importer's copy stays, and no blob is left", async () => {
    const owner = await signUp(server);
    const importer = await signUp(server);
    const blobsBefore = await blobCount();
    const marker = `unique-marker-${Date.now()}-${Math.random()}`;
    const textId = await attachmentId(owner.token, Buffer.from(`notes ${marker}\n`), "notes ü.txt");
    const photoId = await attachmentId(owner.token, await phonePhoto("#1e90ff"), "photo.jpg");
    const conversationId = await createConversation(server, owner.token, "With files");
    const appended = ok(await postWithFiles(owner, conversationId, [photoId, textId])).appendMessage.message;
    expect(appended.attachments.map((a: any) => a.id)).toEqual([photoId, textId]);

    const share = await shareConversation(server, owner.token, conversationId);
    const shown = ok(await gql(server, SHARED_FILES, { link: share.url })).sharedConversation.messages[0].attachments;
    expect(shown.map((a: any) => [a.kind, a.name])).toEqual([["IMAGE", "photo.jpg"], ["FILE", "notes ü.txt"]]);
    expect(shown[0].url).toBe(`${share.url}/files/${shown[0].id}`);
    expect(shown[0].thumbnailUrl).toBe(`${share.url}/files/${shown[0].id}/thumbnail`);

    const text = await fetchShared(shown[1].url);
    expect(text.status).toBe(200);
    expect(text.headers.get("content-disposition")).toMatch(/^attachment; /);
    expect(text.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(text.headers.get("cache-control")).toBe(`max-age=${server.config.shareCacheMaxAgeSeconds}, public`);
    expect(await text.text()).toContain(marker);
    const image = await fetchShared(shown[0].url);
    expect(image.headers.get("content-disposition")).toMatch(/^inline; /);
    expect((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).exif).toBeUndefined();
    // An owner's id (not the snapshot's) is nothing under the link.
    expect((await fetchShared(`${share.url}/files/${photoId}`)).status).toBe(404);

    const imported = ok(await importShare(server, importer.token, share.url)).importShare.conversation;
    const copy = ok(await gql(server, `query($id: ID!) { conversation(id: $id) { messages { attachments { id name url } } } }`, { id: imported.id }, importer.token));
    const copied = copy.conversation.messages[0].attachments;
    expect(copied.map((a: any) => a.name)).toEqual(["photo.jpg", "notes ü.txt"]);
    // The references were copied, not the bytes.
    expect(await blobCount()).toBe(blobsBefore + 3);

    ok(await gql(server, DELETE_CONVERSATION, { input: { conversationId } }, owner.token));
    expect((await fetchShared(shown[1].url)).status).toBe(404);
    expect((await fetchShared(shown[0].url + "/thumbnail")).status).toBe(404);
    const kept = await fetch(server.url + copied[1].url, { headers: { authorization: `Bearer ${importer.token}` } });
    expect(await kept.text()).toContain(marker);
    expect(await blobCount()).toBe(blobsBefore + 3);

    ok(await gql(server, DELETE_CONVERSATION, { input: { conversationId: imported.id } }, importer.token));
    expect(await blobCount()).toBe(blobsBefore);
    if (TEST_DIALECT === "sqlite") {
      const file = server.config.database.type === "sqlite" ? server.config.database.path : "";
      for (const path of [file, `${file}-wal`]) {
        if (fs.existsSync(path)) expect(fs.readFileSync(path).includes(Buffer.from(marker))).toBe(false);
      }
    }
  });

  it("revoking a link kills its files at once", async () => {
    const owner = await signUp(server);
    const id = await attachmentId(owner.token, Buffer.from("revocable"), "r.txt");
    const conversationId = await createConversation(server, owner.token, "Revocable");
    ok(await postWithFiles(owner, conversationId, [id]));
    const share = await shareConversation(server, owner.token, conversationId);
    const [file] = ok(await gql(server, SHARED_FILES, { link: share.url })).sharedConversation.messages[0].attachments;
    expect((await fetchShared(file.url)).status).toBe(200);
    await revoke(server, owner.token, share.id);
    const dead = await fetchShared(file.url);
    expect(dead.status).toBe(404);
    expect(dead.headers.get("cache-control")).toBe("no-store");
  });

  it("a SIGNED_IN link's files need a session, like its page, and are never publicly cacheable", async () => {
    const owner = await signUp(server);
    const viewer = await signUp(server);
    const id = await attachmentId(owner.token, Buffer.from("staff only"), "s.txt");
    const conversationId = await createConversation(server, owner.token, "Staff only");
    ok(await postWithFiles(owner, conversationId, [id]));
    const share = await shareConversation(server, owner.token, conversationId);
    const [file] = ok(await gql(server, SHARED_FILES, { link: share.url })).sharedConversation.messages[0].attachments;
    const setAudience = `mutation($input: SetShareAudienceInput!) { setShareAudience(input: $input) { share { audience } } }`;
    ok(await gql(server, setAudience, { input: { shareId: share.id, audience: "SIGNED_IN" } }, owner.token));
    const anonymous = await fetchShared(file.url);
    expect([anonymous.status, anonymous.headers.get("cache-control")]).toEqual([404, "no-store"]);
    const signedIn = await fetch(server.url + new URL(file.url).pathname, { headers: { authorization: `Bearer ${viewer.token}` } });
    expect([signedIn.status, signedIn.headers.get("cache-control"), await signedIn.text()]).toEqual([200, "private, no-store", "staff only"]);
    ok(await gql(server, setAudience, { input: { shareId: share.id, audience: "PUBLIC" } }, owner.token));
    const open = await fetchShared(file.url);
    expect([open.status, open.headers.get("cache-control")]).toEqual([200, "max-age=30, public"]);
  });

  it("a redacted snapshot masks the text and keeps the message's files, on the page too; a refresh keeps both", async () => {
    const owner = await signUp(server);
    const id = await attachmentId(owner.token, Buffer.from("boarding pass"), "pass.txt");
    const conversationId = await createConversation(server, owner.token, "Trip");
    ok(await postWithFiles(owner, conversationId, [id], "Send it to ada@example.com please"));
    const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url } } }`;
    const { share } = ok(await gql(server, SHARE, { input: { conversationId, redactions: { kinds: ["EMAIL"] } } }, owner.token)).shareConversation;
    const VIEW = `query($link: String!) { sharedConversation(link: $link) { messages { content redactions { kind } attachments { name url } } } }`;
    const seen = async () => ok(await gql(server, VIEW, { link: share.url })).sharedConversation.messages[0];
    const first = await seen();
    expect(first).toMatchObject({ content: "Send it to [email address removed] please", redactions: [{ kind: "EMAIL" }], attachments: [{ name: "pass.txt" }] });
    expect(await (await fetchShared(first.attachments[0].url)).text()).toBe("boarding pass");
    const page = await (await fetchShared(share.url)).text();
    expect(page).toContain("[email address removed]");
    expect(page).not.toContain("ada@example.com");
    expect(page).toContain(`href="${new URL(first.attachments[0].url).pathname}"`);

    const REFRESH = `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id } } }`;
    ok(await gql(server, REFRESH, { input: { shareId: share.id } }, owner.token));
    const refreshed = await seen();
    expect(refreshed).toMatchObject({ content: "Send it to [email address removed] please", attachments: [{ name: "pass.txt" }] });
    // Frozen anew: the new copy answers, the old snapshot's copy is gone.
    expect((await fetchShared(refreshed.attachments[0].url)).status).toBe(200);
    expect((await fetchShared(first.attachments[0].url)).status).toBe(404);
  });

  it("browsers on other origins may ask before uploading or fetching a file", async () => {
    for (const path of ["/uploads", "/files/00000000-0000-4000-8000-000000000000"]) {
      const res = await fetch(server.url + path, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST" } });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
    }
  });

  it("deactivating an account removes its files and every blob only it referred to", async () => {
    const before = await blobCount();
    const owner = await signUp(server);
    const id = await attachmentId(owner.token, Buffer.from(`gone with the account ${Math.random()}`), "g.txt");
    await attachmentId(owner.token, Buffer.from(`never attached ${Math.random()}`), "u.txt");
    const conversationId = await createConversation(server, owner.token, "Leaving");
    ok(await postWithFiles(owner, conversationId, [id]));
    await shareConversation(server, owner.token, conversationId);
    expect(await blobCount()).toBe(before + 2);
    ok(await gql(server, `mutation($input: DeactivateAccountInput!) { deactivateAccount(input: $input) { deactivatedUserId } }`, { input: { password: "correct horse battery staple" } }, owner.token));
    expect(await blobCount()).toBe(before);
  });

  it("a page of messages costs the same number of statements for its attachments, however many messages", async () => {
    const owner = await signUp(server);
    const conversationId = await createConversation(server, owner.token, "Many");
    const QUERY = `query($id: ID!, $n: Int!) { conversation(id: $id) { messagesConnection(first: $n) { edges { node { content attachments { id name } } } } } }`;
    const count = async (n: number) => {
      server.queries.count = 0;
      ok(await gql(server, QUERY, { id: conversationId, n }, owner.token));
      return server.queries.count;
    };
    for (let i = 0; i < 6; i++) ok(await postWithFiles(owner, conversationId, [await attachmentId(owner.token, Buffer.from(`file ${i} ${Math.random()}`), `f${i}.txt`)], `m${i}`));
    expect(await count(6)).toBe(await count(2));
  });
});

describe("removing a file before sharing", () => {
  const SHARE = `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url } } }`;
  const REFRESH = `mutation($input: RefreshShareInput!) { refreshShare(input: $input) { share { id } } }`;
  const FILES = `messages { attachments { id name url } removedAttachmentCount }`;
  const PREVIEW = `query($conversationId: ID!, $upToMessageId: ID, $redactions: RedactionsInput) { sharePreview(conversationId: $conversationId, upToMessageId: $upToMessageId, redactions: $redactions) { conversation { ${FILES} } } }`;
  const VIEW = `query($link: String!) { sharedConversation(link: $link) { ${FILES} } }`;

  /** A conversation whose first message carries a kept file and a secret one, and whose second carries only a secret photo. */
  async function conversationWithSecretFiles() {
    const owner = await signUp(server);
    const marker = `secret-file-${Math.random()}`;
    const keptId = await attachmentId(owner.token, Buffer.from("the agenda"), "agenda.txt");
    const secretId = await attachmentId(owner.token, Buffer.from(`passport scan ${marker}`), "passport.txt");
    const photoId = await attachmentId(owner.token, await phonePhoto("#2e8b57"), "home.jpg");
    const conversationId = await createConversation(server, owner.token, "Visa");
    const first = ok(await postWithFiles(owner, conversationId, [keptId, secretId], "Here is what I have")).appendMessage.message;
    const second = ok(await postWithFiles(owner, conversationId, [photoId], "And my street")).appendMessage.message;
    const blobs = await server.sql(`SELECT blob_sha256 AS b, thumbnail_sha256 AS t FROM attachments WHERE id IN (?, ?)`, [secretId, photoId]);
    const secretHashes: string[] = blobs.flatMap((r: any) => [r.b, r.t]).filter(Boolean);
    return { owner, marker, keptId, secretId, photoId, conversationId, first, second, secretHashes, removed: { attachmentIds: [secretId, photoId] } };
  }

  const shown = (messages: any[]) => messages.map((m) => [m.attachments.map((a: any) => a.name), m.removedAttachmentCount]);
  const EXPECTED = [[["agenda.txt"], 1], [[], 1]];

  /** The rows of a share's frozen files, and whether any of them refers to one of `hashes`. */
  async function frozenFiles(shareId: string, hashes: string[]) {
    const rows = await server.sql(`SELECT id, name, blob_sha256 AS b, thumbnail_sha256 AS t FROM attachments WHERE share_id = ?`, [dbId(shareId)]);
    return { names: rows.map((r: any) => r.name).sort(), refersToSecret: rows.some((r: any) => hashes.includes(r.b) || hashes.includes(r.t)) };
  }

  it("a removed file is in no preview, view, page, file address, snapshot row or import; the owner keeps it", async () => {
    const s = await conversationWithSecretFiles();
    const preview = ok(await gql(server, PREVIEW, { conversationId: s.conversationId, redactions: s.removed }, s.owner.token)).sharePreview.conversation;
    expect(shown(preview.messages)).toEqual(EXPECTED);

    const { share } = ok(await gql(server, SHARE, { input: { conversationId: s.conversationId, redactions: s.removed } }, s.owner.token)).shareConversation;
    const viewed = await gql(server, VIEW, { link: share.url });
    expect(shown(viewed.data.sharedConversation.messages)).toEqual(EXPECTED);
    for (const hidden of ["passport.txt", "home.jpg", s.secretId, s.photoId]) expect(viewed.text).not.toContain(hidden);

    const page = await (await fetchShared(share.url)).text();
    expect(page.match(/<span class="redacted">1 file removed<\/span>/g)).toHaveLength(2);
    expect(page).toContain("agenda.txt");
    for (const hidden of ["passport.txt", "home.jpg"]) expect(page).not.toContain(hidden);

    // Not frozen at all: the only copy is the kept file's, and no row of the share refers to the secret bytes.
    expect(await frozenFiles(share.id, s.secretHashes)).toEqual({ names: ["agenda.txt"], refersToSecret: false });
    // The stored choice names the owner's files (a refresh applies it again); what viewers are served does not.
    const snapshot = JSON.parse((await server.sql(`SELECT snapshot FROM shares WHERE id = ?`, [dbId(share.id)]))[0].snapshot);
    expect(snapshot.redaction).toEqual({ kinds: [], spans: [], attachmentIds: [s.secretId, s.photoId] });
    for (const hidden of ["passport.txt", "home.jpg", s.secretId, s.photoId, s.marker]) expect(JSON.stringify(snapshot.messages)).not.toContain(hidden);
    for (const id of [s.secretId, s.photoId, s.keptId]) expect((await fetchShared(`${share.url}/files/${id}`)).status).toBe(404);
    expect((await fetchShared(`${share.url}/files/${s.photoId}/thumbnail`)).status).toBe(404);

    const importer = await signUp(server);
    const imported = ok(await importShare(server, importer.token, share.url)).importShare.conversation;
    const copy = ok(await gql(server, `query($id: ID!) { conversation(id: $id) { messages { attachments { name } } } }`, { id: imported.id }, importer.token)).conversation;
    expect(copy.messages.map((m: any) => m.attachments.map((a: any) => a.name))).toEqual([["agenda.txt"], []]);
    const importerRows = await server.sql(`SELECT blob_sha256 AS b FROM attachments WHERE owner_id = ?`, [dbId(importer.id)]);
    expect(importerRows.some((r: any) => s.secretHashes.includes(r.b))).toBe(false);

    const mine = ok(await gql(server, `query($id: ID!) { conversation(id: $id) { messages { attachments { id } } } }`, { id: s.conversationId }, s.owner.token)).conversation;
    expect(mine.messages.map((m: any) => m.attachments.map((a: any) => a.id))).toEqual([[s.keptId, s.secretId], [s.photoId]]);
    const mineFile = await fetch(`${server.url}/files/${s.secretId}`, { headers: { authorization: `Bearer ${s.owner.token}` } });
    expect(await mineFile.text()).toContain(s.marker);
  });

  it("a refresh leaves the same files out, until the owner passes other redactions", async () => {
    const s = await conversationWithSecretFiles();
    const { share } = ok(await gql(server, SHARE, { input: { conversationId: s.conversationId, redactions: s.removed } }, s.owner.token)).shareConversation;
    ok(await gql(server, REFRESH, { input: { shareId: share.id } }, s.owner.token));
    expect(shown(ok(await gql(server, VIEW, { link: share.url })).sharedConversation.messages)).toEqual(EXPECTED);
    expect(await frozenFiles(share.id, s.secretHashes)).toEqual({ names: ["agenda.txt"], refersToSecret: false });

    ok(await gql(server, REFRESH, { input: { shareId: share.id, redactions: {} } }, s.owner.token));
    expect(shown(ok(await gql(server, VIEW, { link: share.url })).sharedConversation.messages)).toEqual([[["agenda.txt", "passport.txt"], 0], [["home.jpg"], 0]]);
    expect((await frozenFiles(share.id, s.secretHashes)).refersToSecret).toBe(true);
  });

  it("ids that are not files of the messages being shared are refused alike, whoever's they are", async () => {
    const s = await conversationWithSecretFiles();
    const other = await signUp(server);
    const theirConversation = await createConversation(server, other.token, "Theirs");
    const theirs = await attachmentId(other.token, Buffer.from("not yours"), "theirs.txt");
    ok(await postWithFiles(other, theirConversation, [theirs]));
    const elsewhere = await createConversation(server, s.owner.token, "Elsewhere");
    const mineElsewhere = await attachmentId(s.owner.token, Buffer.from("other chat"), "other.txt");
    ok(await postWithFiles(s.owner, elsewhere, [mineElsewhere]));
    const unattached = await attachmentId(s.owner.token, Buffer.from("never sent"), "draft.txt");

    const messages = new Set<string>();
    const refuse = async (query: string, variables: Record<string, unknown>) => {
      const res = await gql(server, query, variables, s.owner.token);
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      messages.add(res.errors![0].message);
    };
    for (const id of [theirs, mineElsewhere, unattached, "00000000-0000-4000-8000-000000000000", "not-an-id"]) {
      await refuse(SHARE, { input: { conversationId: s.conversationId, redactions: { attachmentIds: [id] } } });
    }
    // Past upToMessageId: the photo's message is not being shared.
    await refuse(SHARE, { input: { conversationId: s.conversationId, upToMessageId: s.first.id, redactions: { attachmentIds: [s.photoId] } } });
    await refuse(PREVIEW, { conversationId: s.conversationId, redactions: { attachmentIds: [theirs] } });
    const { share } = ok(await gql(server, SHARE, { input: { conversationId: s.conversationId } }, s.owner.token)).shareConversation;
    await refuse(REFRESH, { input: { shareId: share.id, redactions: { attachmentIds: [mineElsewhere] } } });
    expect([...messages]).toEqual(["redactions.attachmentIds[0] is not a file of a message being shared."]);
    const [{ n }] = await server.sql(`SELECT COUNT(*) AS n FROM shares WHERE owner_id = ?`, [dbId(s.owner.id)]);
    expect(Number(n)).toBe(1);
  });
});
