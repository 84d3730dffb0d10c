// Security: CSRF-style simple requests from another site. Every attack is refused with a code from the closed set, leaks nothing and changes no data.
import { attackedServer, server, w, attacks, request, getQuery, refusedWith, expectNoData, expectNoSecrets, type Answer } from "./helpers/attacks";

jest.setTimeout(60_000);
attackedServer("csrf");

describe("CSRF-style simple requests", () => {
  const MUTATION = `mutation { createConversation(input: { title: "forged by another site" }) { conversation { id } } }`;
  const bearer = () => ({ authorization: `Bearer ${w.owner.token}` });
  // Refused by Apollo's CSRF prevention itself, before the operation is even parsed.
  const refused400 = (answer: Answer) => {
    expect(answer.status).toBe(400);
    refusedWith(answer, "BAD_USER_INPUT");
    expect(answer.errors![0].message).toMatch(/Cross-Site Request Forgery/);
  };
  attacks([
    {
      name: "a urlencoded form POST of a mutation is refused and runs nothing",
      attack: () => request(server, { headers: { "content-type": "application/x-www-form-urlencoded", ...bearer() }, body: new URLSearchParams({ query: MUTATION }).toString() }),
      refused: refused400,
    },
    {
      name: "a urlencoded form POST whose body is JSON is refused and runs nothing",
      attack: () => request(server, { headers: { "content-type": "application/x-www-form-urlencoded", ...bearer() }, body: JSON.stringify({ query: MUTATION }) }),
      refused: refused400,
    },
    {
      name: "a text/plain POST of a JSON mutation is refused and runs nothing",
      attack: () => request(server, { headers: { "content-type": "text/plain", ...bearer() }, body: JSON.stringify({ query: MUTATION }) }),
      refused: refused400,
    },
    {
      name: "a text/plain POST with a charset is refused and runs nothing",
      attack: () => request(server, { headers: { "content-type": "text/plain; charset=utf-8", ...bearer() }, body: JSON.stringify({ query: MUTATION }) }),
      refused: refused400,
    },
    {
      name: "a multipart form POST is refused and runs nothing",
      attack: () => {
        const form = new FormData();
        form.set("query", MUTATION);
        return request(server, { headers: bearer(), body: form });
      },
      refused: refused400,
    },
    {
      name: "a POST without a content type is refused and runs nothing",
      attack: () => request(server, { headers: bearer(), body: new TextEncoder().encode(JSON.stringify({ query: MUTATION })) }),
      refused: refused400,
    },
    {
      name: "a GET without a preflight header is refused and reads nothing",
      attack: () => getQuery(server, { query: `{ me { email } conversations { edges { node { title } } } }` }, bearer()),
      refused: (answer) => {
        refused400(answer);
        expectNoSecrets(answer.text);
      },
    },
    {
      name: "a GET with an empty preflight header is refused and reads nothing",
      attack: () => getQuery(server, { query: `{ me { email } }` }, { ...bearer(), "apollo-require-preflight": "" }),
      refused: (answer) => {
        refused400(answer);
        expectNoSecrets(answer.text);
      },
    },
    {
      name: "a GET mutation without a preflight header is refused and runs nothing",
      attack: () => getQuery(server, { query: MUTATION }, bearer()),
      refused: refused400,
    },
    {
      name: "a GET mutation with a preflight header is refused with 405 and runs nothing",
      attack: () => getQuery(server, { query: MUTATION }, { ...bearer(), "apollo-require-preflight": "true" }),
      refused: (answer) => {
        expect(answer.status).toBe(405);
        expectNoData(answer);
      },
    },
    {
      name: "a GET choosing a mutation by operationName from a document with a query is refused with 405 and runs nothing",
      attack: () => getQuery(server, { query: `query Q { me { id } } ${MUTATION.replace("mutation", "mutation M")}`, operationName: "M" }, { ...bearer(), "apollo-require-preflight": "true" }),
      refused: (answer) => {
        expect(answer.status).toBe(405);
        expectNoData(answer);
      },
    },
  ]);
});
