// The client's address for every door (GraphQL, share pages, report form): rate limits and logs key on it.
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import proxyAddr from "proxy-addr";
import type { Config } from "../config";

export type ClientAddress = (req: IncomingMessage) => string;

/**
 * With TRUST_PROXY off, the TCP peer, whatever X-Forwarded-For says (any client can write that header). With it
 * on, proxy-addr walks X-Forwarded-For from the nearest hop back while the hop is trusted, so a client can add
 * entries but never skip past the proxies' own.
 */
export function clientAddressOf(trust: Config["trustProxy"]): ClientAddress {
  if (trust === false) return (req) => req.socket?.remoteAddress ?? "unknown";
  const trusted = typeof trust === "number" ? (_address: string, hop: number) => hop < trust : proxyAddr.compile(trust);
  // A trusted proxy that passed on something that is not an address (a misconfiguration) does not get to name a
  // bucket or write into the log: the peer's own address stands instead.
  return (req) => {
    const peer = req.socket?.remoteAddress;
    if (!peer) return "unknown";
    const address = proxyAddr(req, trusted);
    return isIP(address) ? address : peer;
  };
}
