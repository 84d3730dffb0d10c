// Security: Links that look like a working share link but are not, for viewing and importing. Every attack is refused with a code from the closed set, leaks nothing and changes no data.
import { gql, ok, VIEW } from "./helpers/client";
import { attackedServer, server, w, attacks, refusedWith, expectNoSecrets, SECRET_TITLE, BASE, type Attack } from "./helpers/attacks";

jest.setTimeout(60_000);
attackedServer("look-alike-links");

describe("look-alike links", () => {
  const IMPORT = `mutation($input: ImportShareInput!) { importShare(input: $input) { conversation { id title messages { content } } } }`;
  const T = "TOKEN";
  // Each is refused with BAD_USER_INPUT; TOKEN stands for the real, working token of the owner's link.
  const LOOK_ALIKES: [string, (token: string) => string][] = [
    ["http instead of https", () => `http://chat.example/share/${T}`],
    ["ftp://", () => `ftp://chat.example/share/${T}`],
    ["wss://", () => `wss://chat.example/share/${T}`],
    ["file:///", () => `file:///share/${T}`],
    ["a data: URL", () => `data:text/plain,${T}`],
    ["a javascript: URL", () => `javascript:alert(1)//${T}`],
    ["a scheme-relative URL", () => `//chat.example/share/${T}`],
    ["no scheme at all", () => `chat.example/share/${T}`],
    ["another host", () => `https://evil.example/share/${T}`],
    ["the real host as a subdomain of another", () => `https://chat.example.evil.com/share/${T}`],
    ["a host that ends like the real one", () => `https://evilchat.example/share/${T}`],
    ["the real host as user-info before another host", () => `https://chat.example@evil.example/share/${T}`],
    ["user and password before the real host", () => `https://user:pass@chat.example/share/${T}`],
    ["the real link inside another site's path", () => `https://evil.example/https://chat.example/share/${T}`],
    ["the real link in another site's query", () => `https://evil.example/?u=https://chat.example/share/${T}`],
    ["the default port written out", () => `https://chat.example:443/share/${T}`],
    ["another port", () => `https://chat.example:8443/share/${T}`],
    ["an empty port", () => `https://chat.example:/share/${T}`],
    ["a double slash before the path", () => `https://chat.example//share/${T}`],
    ["a double slash before the token", () => `https://chat.example/share//${T}`],
    ["three slashes after the scheme", () => `https:///chat.example/share/${T}`],
    ["one slash after the scheme", () => `https:/chat.example/share/${T}`],
    ["dot-dot segments", () => `https://chat.example/share/../share/${T}`],
    ["a dot segment", () => `https://chat.example/share/./${T}`],
    ["another path that normalises to the real one", () => `https://chat.example/x/../share/${T}`],
    ["another path", () => `https://chat.example/shares/${T}`],
    ["a trailing slash", () => `https://chat.example/share/${T}/`],
    ["an extra segment", () => `https://chat.example/share/${T}/extra`],
    ["a matrix parameter", () => `https://chat.example/share/${T};x=1`],
    ["a trailing dot after the token", () => `https://chat.example/share/${T}.`],
    ["an encoded space after the token", () => `https://chat.example/share/${T}%20`],
    ["an encoded slash in the path", () => `https://chat.example/share%2F${T}`],
    ["an encoded slash before the token", () => `https://chat.example/share/%2F${T}`],
    ["a whole URL with encoded slashes", () => `https://chat.example%2Fshare%2F${T}`],
    ["a double-encoded slash", () => `https://chat.example/share%252F${T}`],
    ["a fully percent-encoded URL", () => `https%3A%2F%2Fchat.example%2Fshare%2F${T}`],
    ["a percent-encoded first character of the token", (t) => `https://chat.example/share/%${t.charCodeAt(0).toString(16)}${t.slice(1)}`],
    ["backslashes instead of slashes", () => `https:\\\\chat.example\\share\\${T}`],
    ["a backslash before the path", () => `https://chat.example\\share/${T}`],
    ["a backslash before the token", () => `https://chat.example/share\\${T}`],
    ["a tab before the token", () => `https://chat.example/share/\t${T}`],
    ["a newline inside the path", () => `https://chat.example/sh\nare/${T}`],
    ["a carriage return inside the host", () => `https://chat.\rexample/share/${T}`],
    ["a tab inside the token", (t) => `https://chat.example/share/${t.slice(0, 20)}\t${t.slice(20)}`],
    ["a zero-width space before the token", () => `https://chat.example/share/\u200b${T}`],
    ["a zero-width space inside the host", () => `https://chat\u200b.example/share/${T}`],
    ["a leading zero-width space", () => `\u200bhttps://chat.example/share/${T}`],
    ["a trailing zero-width joiner", () => `https://chat.example/share/${T}\u200d`],
    ["a word joiner after a bare token", () => `${T}\u2060`],
    ["a soft hyphen before a bare token", () => `\u00ad${T}`],
    ["a right-to-left override", () => `https://chat.example/share/\u202e${T}`],
    ["a Cyrillic а in the host", () => `https://chаt.example/share/${T}`],
    ["a Cyrillic е in the host", () => `https://chat.\u0435xample/share/${T}`],
    ["a Greek α in the host", () => `https://chat.ex\u03b1mple/share/${T}`],
    ["a Cyrillic ѕ in the path", () => `https://chat.example/\u0455hare/${T}`],
    ["a Cyrillic letter inside the token", (t) => `${BASE}${t.slice(0, 10)}\u0430${t.slice(11)}`],
    ["a full-width slash", () => `https://chat.example／share/${T}`],
    ["a full-width colon", () => `https：//chat.example/share/${T}`],
    ["a fraction slash", () => `https://chat.example\u2044share/${T}`],
    ["a division slash", () => `https://chat.example/share\u2215${T}`],
    ["a trailing dot on the host", () => `https://chat.example./share/${T}`],
    ["an uppercase host", () => `https://CHAT.EXAMPLE/share/${T}`],
    ["an uppercase scheme", () => `HTTPS://chat.example/share/${T}`],
    ["an uppercase path", () => `https://chat.example/SHARE/${T}`],
    ["a punycode host", () => `https://xn--cht-8cd.example/share/${T}`],
    ["an IP address for a host", () => `https://127.0.0.1/share/${T}`],
    ["a # suffix", () => `https://chat.example/share/${T}#x`],
    ["an empty # suffix", () => `https://chat.example/share/${T}#`],
    ["a ? suffix", () => `https://chat.example/share/${T}?ref=x`],
    ["an empty ? suffix", () => `https://chat.example/share/${T}?`],
    ["a bare token with a # suffix", () => `${T}#`],
    ["a bare token with a ? suffix", () => `${T}?x=1`],
    ["the token in the fragment", () => `https://chat.example/share/#${T}`],
    ["the token in the query", () => `https://chat.example/share/?t=${T}`],
    ["a NUL after the token", () => `https://chat.example/share/${T}\u0000`],
    ["a NUL inside the host", () => `https://chat.example\u0000.evil/share/${T}`],
    ["a token one character short", (t) => `${BASE}${t.slice(0, 42)}`],
    ["a token one character long", (t) => `${BASE}${t}A`],
    ["a bare token one character short", (t) => t.slice(0, 42)],
    ["a bare token one character long", (t) => `${t}A`],
    ["a token in standard base64 with padding", (t) => `${t.slice(0, 42)}=`],
    ["a token with a plus sign", (t) => `${BASE}${t.slice(0, 42)}+`],
    ["a token with a dot", (t) => `${t.slice(0, 42)}.`],
    ["an empty string", () => ""],
    ["white space only", () => " \t\n "],
    ["the prefix alone", () => BASE],
    ["a link over 2,048 characters", (t) => `${BASE}${t}${"A".repeat(3000)}`],
  ];
  // Well-formed, so the server looks them up: null for a view, NOT_FOUND for an import.
  const UNKNOWN_TOKENS: [string, (token: string) => string][] = [
    ["a token that was never issued", () => "A".repeat(43)],
    ["the real token in upper case", (t) => `${BASE}${t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase()}`],
    ["the real token reversed", (t) => [...t].reverse().join("")],
    ["the real token with its last character changed", (t) => `${BASE}${t.slice(0, 42)}${t.endsWith("A") ? "B" : "A"}`],
    ["a token of dashes", () => `${BASE}${"-".repeat(43)}`],
    ["a token of underscores", () => "_".repeat(43)],
    ["the revoked link", () => w.revokedShareUrl],
  ];

  it("the real link, bare token and URL, works (so each look-alike differs only in its trick)", async () => {
    expect(ok(await gql(server, VIEW, { link: w.shareUrl })).sharedConversation.title).toBe(SECRET_TITLE);
    expect(ok(await gql(server, VIEW, { link: ` ${w.shareToken}\n` })).sharedConversation.title).toBe(SECRET_TITLE);
  });

  const viewAttacks = LOOK_ALIKES.map(
    ([label, make]): Attack => ({
      name: `sharedConversation refuses ${label} with BAD_USER_INPUT and shows nothing`,
      attack: () => gql(server, VIEW, { link: make(w.shareToken).split(T).join(w.shareToken) }),
      refused: (answer) => {
        refusedWith(answer, "BAD_USER_INPUT");
        expectNoSecrets(answer.text.split(w.shareToken).join(""));
      },
    }),
  );
  const importAttacks = LOOK_ALIKES.map(
    ([label, make]): Attack => ({
      name: `importShare refuses ${label} with BAD_USER_INPUT and copies nothing`,
      attack: () => gql(server, IMPORT, { input: { link: make(w.shareToken).split(T).join(w.shareToken) } }, w.intruder.token),
      refused: (answer) => {
        refusedWith(answer, "BAD_USER_INPUT");
        expectNoSecrets(answer.text.split(w.shareToken).join(""));
      },
    }),
  );
  const unknownAttacks = UNKNOWN_TOKENS.flatMap(([label, make]): Attack[] => [
    {
      name: `sharedConversation answers null for ${label} and shows nothing`,
      attack: () => gql(server, VIEW, { link: make(w.shareToken) }),
      refused: (answer) => {
        expect(answer.errors).toBeUndefined();
        expect(answer.data).toEqual({ sharedConversation: null });
      },
    },
    {
      name: `importShare answers NOT_FOUND for ${label} and copies nothing`,
      attack: () => gql(server, IMPORT, { input: { link: make(w.shareToken) } }, w.intruder.token),
      refused: (answer) => {
        refusedWith(answer, "NOT_FOUND");
        expectNoSecrets(answer.text);
      },
    },
  ]);
  describe("viewing", () => attacks(viewAttacks));
  describe("importing", () => attacks(importAttacks));
  describe("well-formed tokens that do not work", () => attacks(unknownAttacks));
});
