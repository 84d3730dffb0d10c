// Answers /graphql: the CORS preflight, the body, trusted documents, the public response cache, then Apollo.
import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from "@apollo/server";
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { createLoaders, type Context, type Services } from "../context";
import type { ClientAddress } from "../common/client-address";
import type { User } from "../user/user.entity";
import { resolveTrustedDocument } from "../trusted-documents/trusted-documents";
import { readBody, mediaTypeOf } from "../http/body";
import { HttpError, sendGraphQLError } from "../http/errors";
import { sendPreflight } from "../http/cors";
import { answersWithLegacyJson } from "../common/response-status";
import type { Handler } from "../http/routes";
import type { PublicResponses } from "../share/public-responses";

export interface GraphQLHandlerOptions {
  config: Config;
  dataSource: DataSource;
  apollo: ApolloServer<Context>;
  services: Services;
  /** The signed-in user an Authorization header speaks for, or null. */
  viewerOf: (authorization: string | undefined) => Promise<User | null>;
  clientAddress: ClientAddress;
  responses: PublicResponses;
}

type Request = { method: string; search: string; body: unknown };

function parseBody(req: IncomingMessage, raw: string): unknown {
  const type = mediaTypeOf(req);
  if (type !== "application/json" && type !== "application/graphql-response+json") return raw;
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, "The request body is not valid JSON.");
  }
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

const UTF8 = new TextEncoder();

async function writeGraphQLResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === "complete") {
    // Encoded once here: given the string, Node measures its UTF-8 length for Content-Length and then encodes it (a
    // list's 150 KB answer spent 6% of its CPU in the measuring alone). TextEncoder encodes in one pass, where
    // Buffer.from measures first too: a third less of the list's 7% spent encoding.
    res.end(UTF8.encode(response.body.string));
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

export function createGraphQLHandler({ config, dataSource, apollo, services, viewerOf, clientAddress, responses }: GraphQLHandlerOptions): Handler {
  /** The request as Apollo reads it, with a trusted document's text in place of its id; false once refused. */
  async function requestOf(req: IncomingMessage, res: ServerResponse, search: string): Promise<Request | false> {
    const raw = req.method === "POST" ? await readBody(req, config.maxBodyBytes) : undefined;
    const request = { method: req.method ?? "GET", search, body: raw === undefined ? undefined : parseBody(req, raw) };
    if (!config.trustedDocuments) return request;
    const resolution = resolveTrustedDocument(request, config.trustedDocuments);
    if ("request" in resolution) return resolution.request;
    const { status, code, message, headers } = resolution.refusal;
    // In the media type Apollo would choose: clients that accept the GraphQL one read a 400's errors only in it.
    const type = answersWithLegacyJson(req.headers.accept) ? undefined : { "content-type": "application/graphql-response+json; charset=utf-8" };
    sendGraphQLError(res, status, message, code, { ...headers, ...type });
    return false;
  }

  return async (req, res, { search, log }) => {
    if (req.method === "OPTIONS") return sendPreflight(res);
    const request = await requestOf(req, res, search);
    if (!request) return;
    const clientIp = clientAddress(req);
    // Keyed on the resolved document, so a view by documentId and by its text share one entry.
    const key = responses.keyOf(req, request.body, request.search);
    if (key && (await responses.answer(key, clientIp, res))) return;
    const response = await responses.keep(key, (shown) =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { ...request, headers: toHeaderMap(req) },
        context: async () => ({
          viewer: await viewerOf(req.headers.authorization),
          clientIp,
          loaders: createLoaders(dataSource, services),
          services,
          log,
          shown,
        }),
      }),
    );
    await writeGraphQLResponse(res, response);
  };
}
