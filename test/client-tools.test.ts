// The tools client developers point at a running server (Sandbox, GraphiQL, Postman, Insomnia, graphql-codegen's URL
// loader) introspect it with their own queries: those run under the default limits, while introspection bombs do not.
import fs from "node:fs";
import path from "node:path";
import { buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type IntrospectionOptions } from "graphql";
import { loadSchema } from "@graphql-tools/load";
import { UrlLoader } from "@graphql-tools/url-loader";
import { startTestServer, type TestServer } from "./helpers/server";
import { codes, gql } from "./helpers/client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const SANDBOX_QUERY = fs.readFileSync(path.join(__dirname, "fixtures", "apollo-sandbox-introspection.graphql"), "utf8");

// Every option of graphql-js's getIntrospectionQuery, the function GraphiQL, Postman, Insomnia and
// @graphql-tools/url-loader (so graphql-codegen) build their query with, each tool with its own subset.
const OPTIONS: (keyof IntrospectionOptions)[] = [
  "descriptions",
  "specifiedByUrl",
  "directiveIsRepeatable",
  "schemaDescription",
  "inputValueDeprecation",
  "oneOf",
  "experimentalDirectiveDeprecation",
];

/** Every combination of the options, on and off: 128 queries. */
function everyOptionSet(): IntrospectionOptions[] {
  return Array.from({ length: 2 ** OPTIONS.length }, (_, bits) => Object.fromEntries(OPTIONS.map((name, i) => [name, Boolean(bits & (1 << i))])));
}

describe("tools' introspection queries", () => {
  it("getIntrospectionQuery() with every combination of its options runs under the default limits", async () => {
    const failures: string[] = [];
    for (const options of everyOptionSet()) {
      const res = await gql(server, getIntrospectionQuery(options));
      if (res.errors || !res.data?.__schema?.types?.length) failures.push(`${JSON.stringify(options)}: ${res.text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it("Apollo Sandbox's introspection query runs under the default limits", async () => {
    const res = await gql(server, SANDBOX_QUERY);
    expect(res.errors).toBeUndefined();
    expect(res.data.__schema.queryType.name).toBe("Query");
  });

  it("a legacy application/json client gets the introspection too", async () => {
    const res = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ query: getIntrospectionQuery() }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data.__schema.mutationType.name).toBe("Mutation");
  });
});

describe("introspection's own bound", () => {
  const refusal = async (query: string) => {
    const res = await gql(server, query);
    expect(res.status).toBe(400);
    expect(codes(res)[0]).toBe("BAD_USER_INPUT");
    expect(res.data).toBeUndefined();
    return res.errors!.map((e) => e.message).join(" ");
  };

  it("refuses lists nested past what tools ask for, the schema-squared bomb", async () => {
    // Each of these answers with the schema multiplied by itself; graphql-armor's ignoreIntrospection would let them in.
    await refusal(`{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }`);
    await refusal(`{ __schema { types { fields { args { type { inputFields { name } } } } } } }`);
    await refusal(`{ __type(name: "Query") { fields { args { type { inputFields { type { enumValues { name } } } } } } } }`);
    await refusal(`{ __schema { directives { args { type { fields { args { name } } } } } } }`);
  });

  it("sees through fragments and inline fragments", async () => {
    const message = await refusal(`{ __schema { ...T } } fragment T on __Schema { types { ...F } } fragment F on __Type { interfaces { name } fields { ... on __Field { args { type { enumValues { name } } } } } }`);
    expect(message).toMatch(/nests 4 lists/);
  });

  it("refuses nesting deeper than MAX_INTROSPECTION_DEPTH, naming it", async () => {
    let inner = "name";
    for (let i = 0; i < 25; i++) inner = `ofType { ${inner} }`;
    const message = await refusal(`{ __type(name: "Query") { fields { type { ${inner} } } } }`);
    expect(message).toMatch(/the limit is 20 \(MAX_INTROSPECTION_DEPTH\)/);
  });

  it("keeps MAX_QUERY_DEPTH for the rest of the operation", async () => {
    let inner = "id";
    for (let i = 0; i < 7; i++) inner = `shares { conversation { ${inner} } }`;
    const message = await refusal(`{ __schema { queryType { name } } conversations { edges { node { ${inner} } } } }`);
    expect(message).toMatch(/MAX_QUERY_DEPTH/);
  });

  it("MAX_INTROSPECTION_DEPTH is configurable", async () => {
    const strict = await startTestServer({ MAX_INTROSPECTION_DEPTH: "10" });
    try {
      const res = await gql(strict, getIntrospectionQuery());
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(res.errors![0].message).toMatch(/15 levels deep; the limit is 10 \(MAX_INTROSPECTION_DEPTH\)/);
    } finally {
      await strict.close();
    }
  });
});

describe("@graphql-tools/url-loader against the live server", () => {
  it("loads the schema, and it prints exactly as schema.graphql", async () => {
    // What codegen's URL schema loads, with the options that make the introspection carry all of the SDL.
    const options = { specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true, schemaDescription: true };
    const live = await loadSchema(`${server.url}/graphql`, { loaders: [new UrlLoader()], ...options });
    const file = buildSchema(fs.readFileSync(path.join(__dirname, "..", "schema.graphql"), "utf8"));
    expect(printSchema(lexicographicSortSchema(live))).toBe(printSchema(lexicographicSortSchema(file)));
  }, 30_000);
});
