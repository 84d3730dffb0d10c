// A tiny GraphQL-over-HTTP client and factories that build state the way a client app would.
import type { TestServer } from "./server";
import { fromGlobalId, toGlobalId, type NodeType } from "../../src/common/global-id";

export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}
export interface GraphQLResult<T = any> {
  status: number;
  data?: T | null;
  errors?: GraphQLErrorBody[];
  text: string;
}

/** The Accept header of a current GraphQL client, preferring the GraphQL-over-HTTP media type. */
export const MODERN_ACCEPT = "application/graphql-response+json,application/json;q=0.9";

export async function gql<T = any>(
  server: Pick<TestServer, "url">,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResult<T>> {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    // What Apollo Client 4 sends: request errors then answer with a 4xx (a legacy application/json client gets 200).
    headers: { "content-type": "application/json", accept: MODERN_ACCEPT, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  const body = JSON.parse(text) as { data?: T; errors?: GraphQLErrorBody[] };
  return { status: res.status, data: body.data, errors: body.errors, text };
}

/** The error codes of a result, in order. */
export function codes(result: GraphQLResult): (string | undefined)[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

/** Fails with the server's errors when a call that should succeed did not. */
export function ok<T>(result: GraphQLResult<T>): T {
  if (result.errors?.length || !result.data) throw new Error(`GraphQL call failed: ${result.text}`);
  return result.data;
}

let counter = 0;
export function uniqueEmail(prefix = "user"): string {
  counter++;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}@example.com`;
}

export const PASSWORD = "correct horse battery staple";

export interface Account {
  id: string;
  email: string;
  displayName: string;
  token: string;
}

export async function signUp(server: Pick<TestServer, "url">, fields: Partial<{ email: string; displayName: string; password: string }> = {}): Promise<Account> {
  const input = { email: uniqueEmail(), displayName: "Test User", password: PASSWORD, ...fields };
  const data = ok(
    await gql(server, `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id email displayName } } }`, { input }),
  );
  return { ...data.signUp.user, token: data.signUp.token };
}

export async function createConversation(
  server: Pick<TestServer, "url">,
  token: string,
  title: string,
  messages: { role: "USER" | "ASSISTANT" | "SYSTEM"; content: string }[] = [],
): Promise<string> {
  const data = ok(await gql(server, `mutation($input: CreateConversationInput!) { createConversation(input: $input) { conversation { id } } }`, { input: { title } }, token));
  const id: string = data.createConversation.conversation.id;
  for (const message of messages) await appendMessage(server, token, id, message.role, message.content);
  return id;
}

export async function appendMessage(server: Pick<TestServer, "url">, token: string, conversationId: string, role: string, content: string) {
  return ok(
    await gql(
      server,
      `mutation($input: AppendMessageInput!) { appendMessage(input: $input) { message { id role content createdAt } } }`,
      { input: { conversationId, role, content } },
      token,
    ),
  ).appendMessage.message;
}

export interface CreatedShare {
  id: string;
  url: string;
  attribution: string;
}

export async function shareConversation(server: Pick<TestServer, "url">, token: string, conversationId: string, attribution?: "ANONYMOUS" | "NAMED"): Promise<CreatedShare> {
  const input = attribution ? { conversationId, attribution } : { conversationId };
  return ok(
    await gql(server, `mutation($input: ShareConversationInput!) { shareConversation(input: $input) { share { id url attribution } } }`, { input }, token),
  ).shareConversation.share;
}

export const VIEW = `query($link: String!) { sharedConversation(link: $link) { title sharedBy sharedAt messages { role content } } }`;

export async function view(server: Pick<TestServer, "url">, link: string, token?: string) {
  return ok(await gql(server, VIEW, { link }, token)).sharedConversation;
}

export async function revoke(server: Pick<TestServer, "url">, token: string, shareId: string) {
  return gql(server, `mutation($input: RevokeShareInput!) { revokeShare(input: $input) { share { id revokedAt } } }`, { input: { shareId } }, token);
}

export async function importShare(server: Pick<TestServer, "url">, token: string | undefined, link: string) {
  return gql(
    server,
    `mutation($input: ImportShareInput!) { importShare(input: $input) { conversation { id title messages { role content } } } }`,
    { input: { link } },
    token,
  );
}

/** A signed-up user with one conversation of two messages, shared once. */
export async function ownerWithShare(server: Pick<TestServer, "url">, attribution?: "ANONYMOUS" | "NAMED") {
  const owner = await signUp(server, { displayName: "Olivia Owner" });
  const conversationId = await createConversation(server, owner.token, "Trip to Lisbon", [
    { role: "USER", content: "Plan three days in Lisbon." },
    { role: "ASSISTANT", content: "Day 1: Alfama. Day 2: Belém. Day 3: Sintra." },
  ]);
  const share = await shareConversation(server, owner.token, conversationId, attribution);
  return { owner, conversationId, share };
}

/** The database id inside a global id the API returned, for tests that look at the database directly. */
export function dbId(globalId: string): string {
  const parsed = fromGlobalId(globalId);
  if (!parsed) throw new Error(`not a global id: ${globalId}`);
  return parsed.id;
}

/** A well-formed global id of `type` that names nothing. */
export function missingId(type: NodeType): string {
  return toGlobalId(type, "01900000-0000-7000-8000-000000000000");
}
