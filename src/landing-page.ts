// What a browser opening /graphql gets: Apollo Sandbox in development, a plain page (or nothing) in production.
import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import type { Config } from "./config";

const PLAIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>chat-share GraphQL API</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>chat-share GraphQL API</h1>
<p>This URL serves GraphQL: send queries with <code>POST</code> and a JSON body, or with <code>GET</code> and an
<code>apollo-require-preflight</code> header. The schema is published with the source as <code>schema.graphql</code>.</p>
</body></html>`;

export function landingPagePlugin(kind: Config["landingPage"]): ApolloServerPlugin {
  switch (kind) {
    case "sandbox":
      return ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false });
    case "off":
      return ApolloServerPluginLandingPageDisabled();
    case "plain":
      return { serverWillStart: async () => ({ renderLandingPage: async () => ({ html: PLAIN_PAGE }) }) };
  }
}
