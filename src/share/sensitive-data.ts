// Finds sensitive-looking data in chat messages so a user can be warned before sharing a conversation by link.
import { Buffer } from "node:buffer";
import { isIPv6 } from "node:net";

/*
 * Design notes and borderline choices (kept here so reviewers see them next to the code):
 *
 * - Every detector scans with global regexes built so that each one can only start at the beginning of a run
 *   (a negative lookbehind on the run's own characters) and has no ambiguous nested quantifiers. That keeps
 *   scanning linear: a 100,000-character run of one character is tried from one position, not from every one.
 *   Anything fuzzier than a regex can say cheaply (checksums, shape rules, context) is checked in code.
 * - EMAIL: the domain needs a dot and a letters-only TLD, so `user@localhost`, `@decorator`, `@types/node` and
 *   `lodash@4.17.21` are not flagged. scp-style SSH remotes (`git@github.com:org/repo.git`,
 *   `deploy@host.example.com:/srv`) are NOT flagged: they name an account on a host, not a mailbox.
 *   Retina asset names (`logo@2x.png`) are not flagged either.
 * - PHONE_NUMBER: international numbers must start with `+`; North-American numbers need a 3-3-4 shape with
 *   separators or parentheses and a valid area code and exchange (first digit 2-9), so `123-456-7890` is not
 *   flagged. Local-only numbers (`555-0132`) and national numbers with a trunk 0 (`020 7946 0958`) are not
 *   detected: without a country marker they look too much like other numbers.
 * - PAYMENT_CARD: besides Luhn, a card needs a known issuer prefix and a length that issuer uses, so a
 *   Luhn-valid timestamp or id is not flagged. A grouped card may be followed by more digit groups (a CVV):
 *   the longest leading run of groups that forms a card is flagged.
 * - IP_ADDRESS: loopback (127.0.0.0/8, ::1), the unspecified address (0.0.0.0, ::), anything in 0.0.0.0/8,
 *   and netmasks (255.255.255.0) are not flagged: they say nothing about a person or a network. A dotted quad
 *   shortly after the word "version" on the same line is taken to be a version. IPv6 needs a digit and,
 *   when compressed, enough structure that Python slices (`a[1::2]`) and C++/Rust paths are not flagged.
 * - IBAN: upper case only, with the length the country's registry entry gives and a valid mod-97 checksum.
 *   Countries missing from the table below are not detected.
 * - API_KEY_OR_SECRET: provider formats are flagged without an entropy check but are skipped when they are
 *   obviously placeholders (no digit, or too few distinct characters, as in `ghp_xxxx...`). AWS's own
 *   documentation keys (`AKIAIOSFODNN7EXAMPLE`) are flagged: they have the real shape. Stripe publishable keys
 *   (`pk_live_`) are public by design and not flagged. Besides Bearer tokens, the credentials of an
 *   `Authorization: Basic` header are flagged (they are only base64). A PEM private key is flagged whole;
 *   without its END line, through the last base64 line that follows the BEGIN line (and its headers).
 *   Labelled values (`password = "..."`)
 *   need at least 8 characters: 8-11 characters need three character classes, 12 or more need two and a
 *   Shannon entropy of at least 3.0 bits per character. Single-class values (`mysupersecretvalue`), prose (UI
 *   strings such as "Password must be at least 8 characters", but also multi-word passphrases), paths, URLs and
 *   unquoted code expressions (`config.apiKey`, `getToken()`, `PasswordHash`) are not flagged.
 * - Overlaps: when two findings overlap, the specific kinds (card, IBAN, secret) beat the generic ones
 *   (phone, email, IP); within a tier the longer finding wins, then the earlier one.
 */

export enum SensitiveDataKind {
  EMAIL = "EMAIL",
  PHONE_NUMBER = "PHONE_NUMBER",
  PAYMENT_CARD = "PAYMENT_CARD",
  API_KEY_OR_SECRET = "API_KEY_OR_SECRET",
  IP_ADDRESS = "IP_ADDRESS",
  IBAN = "IBAN",
}

export interface SensitiveDataWarning {
  kind: SensitiveDataKind;
  /** 0-based index of the message in the list given. */
  messageIndex: number;
  /** Character range in that message's content: [start, end), UTF-16 code unit offsets as JavaScript strings use. */
  start: number;
  end: number;
}

/** Every piece of sensitive-looking data in the messages, ordered by messageIndex then start; ranges of one message never overlap. */
export function findSensitiveData(messages: readonly { content: string }[]): SensitiveDataWarning[] {
  const warnings: SensitiveDataWarning[] = [];
  messages.forEach((message, messageIndex) => {
    for (const span of findInText(message.content)) {
      warnings.push({ kind: span.kind, messageIndex, start: span.start, end: span.end });
    }
  });
  return warnings;
}

interface Span {
  kind: SensitiveDataKind;
  start: number;
  end: number;
}

type Detector = (text: string) => Span[];

const DETECTORS: readonly Detector[] = [
  findSecrets,
  findPaymentCards,
  findIbans,
  findEmails,
  findIpAddresses,
  findPhoneNumbers,
];

function findInText(text: string): Span[] {
  if (text.length === 0) return [];
  return resolveOverlaps(DETECTORS.flatMap((detect) => detect(text)));
}

// ---------------------------------------------------------------------------------------------------------------
// Overlaps

const SPECIFIC_KINDS: ReadonlySet<SensitiveDataKind> = new Set([
  SensitiveDataKind.API_KEY_OR_SECRET,
  SensitiveDataKind.PAYMENT_CARD,
  SensitiveDataKind.IBAN,
]);

function preference(a: Span, b: Span): number {
  const tier = Number(SPECIFIC_KINDS.has(b.kind)) - Number(SPECIFIC_KINDS.has(a.kind));
  if (tier !== 0) return tier;
  const length = b.end - b.start - (a.end - a.start);
  if (length !== 0) return length;
  return a.start - b.start;
}

/** Keeps the preferred span of every overlapping group; the result is sorted by start. */
function resolveOverlaps(spans: readonly Span[]): Span[] {
  const kept: Span[] = [];
  for (const span of [...spans].sort(preference)) {
    const at = firstEndingAfter(kept, span.start);
    if (at < kept.length && kept[at].start < span.end) continue;
    kept.splice(at, 0, span);
  }
  return kept;
}

/** Binary search in disjoint spans sorted by start (so also by end). */
function firstEndingAfter(spans: readonly Span[], offset: number): number {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (spans[middle].end > offset) high = middle;
    else low = middle + 1;
  }
  return low;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers

function spanOf(kind: SensitiveDataKind, start: number, end: number): Span {
  return { kind, start, end };
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /\w/.test(char);
}

function isAlphanumeric(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9]/.test(char);
}

function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...value].length;
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

function characterClasses(value: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
}

function distinctCharacters(value: string): number {
  return new Set(value).size;
}

// ---------------------------------------------------------------------------------------------------------------
// EMAIL

const EMAIL =
  /(?<![A-Za-z0-9._%+\-/@])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9-])/g;
const DENSITY_SUFFIX = /^\d+(?:\.\d+)?x\./i;

function findEmails(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(EMAIL)) {
    const start = match.index;
    const end = start + match[0].length;
    if (isScpRemote(text, end) || DENSITY_SUFFIX.test(match[1])) continue;
    spans.push(spanOf(SensitiveDataKind.EMAIL, start, end));
  }
  return spans;
}

/** `user@host:path` is an SSH/scp address (git remotes), not a mailbox. */
function isScpRemote(text: string, end: number): boolean {
  return text[end] === ":" && /[\w~./-]/.test(text[end + 1] ?? "");
}

// ---------------------------------------------------------------------------------------------------------------
// PHONE_NUMBER

// Each iteration consumes exactly one digit (or one parenthesised group), so the star cannot backtrack badly.
const INTERNATIONAL_PHONE = /(?<![\w+])\+\d(?:[ .-]?(?:\d|\(\d{1,4}\)))*/g;
const NORTH_AMERICAN_PHONE = /(?<![\w.+\-/])(?:1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w]|[.-]\d)/g;

function findPhoneNumbers(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(INTERNATIONAL_PHONE)) {
    const end = match.index + match[0].length;
    if (isWordChar(text[end]) || !isInternationalShape(match[0])) continue;
    spans.push(spanOf(SensitiveDataKind.PHONE_NUMBER, match.index, end));
  }
  for (const match of text.matchAll(NORTH_AMERICAN_PHONE)) {
    if (!isNorthAmericanNumber(match[0])) continue;
    spans.push(spanOf(SensitiveDataKind.PHONE_NUMBER, match.index, match.index + match[0].length));
  }
  return spans;
}

function isInternationalShape(candidate: string): boolean {
  const groups = candidate.split(/[^0-9]+/).filter((group) => group.length > 0);
  const digits = groups.join("").length;
  if (digits < 7 || digits > 15) return false;
  // Subscriber numbers are written in groups of two or more; a run of single digits is a list or a version.
  return groups.slice(1).filter((group) => group.length === 1).length <= 1;
}

/** NANP area codes and exchanges never start with 0 or 1; this also rules out the `123-456-7890` placeholder. */
function isNorthAmericanNumber(candidate: string): boolean {
  let digits = candidate.replace(/\D/g, "");
  if (digits.length === 11) digits = digits.slice(1);
  return digits.length === 10 && digits[0] >= "2" && digits[3] >= "2";
}

// ---------------------------------------------------------------------------------------------------------------
// PAYMENT_CARD

// Digit groups; which prefix of them (if any) is a card is decided in code. Bounded so that retrying from each
// group of a long run stays linear: 20 digits are enough to see that a run is too long to be a card.
const DIGIT_GROUPS = /(?<![\w.+\-/])\d{1,20}(?:[ -]\d{1,20}){0,18}/g;

function findPaymentCards(text: string): Span[] {
  const spans: Span[] = [];
  DIGIT_GROUPS.lastIndex = 0;
  for (let match = DIGIT_GROUPS.exec(text); match !== null; match = DIGIT_GROUPS.exec(text)) {
    const length = longestCardPrefix(match[0]);
    const end = match.index + length;
    const runEnd = match.index + match[0].length;
    if (length > 0 && !(end === runEnd && continuesAsNumber(text, end))) {
      spans.push(spanOf(SensitiveDataKind.PAYMENT_CARD, match.index, end));
      DIGIT_GROUPS.lastIndex = end;
    } else {
      // A card may follow other numbers on the same line ("qty 2 4111 1111 1111 1111"): retry from the next
      // group. Dash-separated runs are not retried (the lookbehind refuses a start after a dash), so dates and
      // UUID-like ids are never cut into pieces.
      const nextGroup = match[0].search(/[ -]/);
      DIGIT_GROUPS.lastIndex = nextGroup === -1 ? runEnd : match.index + nextGroup + 1;
    }
  }
  return spans;
}

/** A card glued to letters or followed by a decimal part is part of something else. */
function continuesAsNumber(text: string, end: number): boolean {
  return isWordChar(text[end]) || ((text[end] === "." || text[end] === ",") && isDigit(text[end + 1]));
}

/** Length in characters of the longest leading group run that is a card number, or 0. */
function longestCardPrefix(run: string): number {
  const groups = run.split(/[ -]/);
  let separator: string | undefined;
  let digits = "";
  let offset = 0;
  let best = 0;
  for (let i = 0; i < groups.length; i++) {
    if (i > 0) {
      const current = run[offset];
      if (separator !== undefined && current !== separator) break;
      separator = current;
      offset += 1;
    }
    digits += groups[i];
    offset += groups[i].length;
    if (digits.length > 19) break;
    if (digits.length >= 13 && hasCardGrouping(groups.slice(0, i + 1)) && isCardNumber(digits)) best = offset;
  }
  return best;
}

/** Printed cards start with a group of four; later groups are 3-6 digits, except a short last one (4-4-4-4-3). */
function hasCardGrouping(groups: readonly string[]): boolean {
  if (groups.length === 1) return true;
  if (groups[0].length !== 4) return false;
  return groups.slice(1).every((group, i) => group.length <= 6 && (group.length >= 3 || i === groups.length - 2));
}

function isCardNumber(digits: string): boolean {
  return hasIssuerPrefix(digits) && passesLuhn(digits);
}

function hasIssuerPrefix(digits: string): boolean {
  const length = digits.length;
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  switch (digits[0]) {
    case "4": // Visa
      return length === 13 || length === 16 || length === 19;
    case "5": // Mastercard
      return two >= 51 && two <= 55 && length === 16;
    case "2": // Mastercard 2-series
      return four >= 2221 && four <= 2720 && length === 16;
    case "3": // Amex, Diners Club
      if (two === 34 || two === 37) return length === 15;
      return (two === 30 || two === 36 || two === 38 || two === 39) && length >= 14 && length <= 19;
    case "6": // Discover, UnionPay, Maestro
      return length >= 13 && length <= 19;
    default:
      return false;
  }
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// IBAN

// Total IBAN length per country, from the SWIFT IBAN registry.
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18,
  FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23,
  IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27,
  MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28,
  PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27,
  SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g;

function findIbans(text: string): Span[] {
  const spans: Span[] = [];
  IBAN_CANDIDATE.lastIndex = 0;
  for (let match = IBAN_CANDIDATE.exec(text); match !== null; match = IBAN_CANDIDATE.exec(text)) {
    const length = ibanLength(match[0]);
    const end = match.index + length;
    if (length > 0 && !isAlphanumeric(text[end])) {
      spans.push(spanOf(SensitiveDataKind.IBAN, match.index, end));
      IBAN_CANDIDATE.lastIndex = end;
    } else {
      // The greedy candidate may have swallowed the start of the next IBAN.
      IBAN_CANDIDATE.lastIndex = match.index + 1;
    }
  }
  return spans;
}

/** Length in characters of the IBAN at the start of the candidate, or 0. */
function ibanLength(candidate: string): number {
  const expected = IBAN_LENGTHS[candidate.slice(0, 2)];
  if (expected === undefined) return 0;
  let count = 0;
  let end = 0;
  while (end < candidate.length && count < expected) {
    if (candidate[end] !== " ") count++;
    end++;
  }
  if (count < expected) return 0;
  const written = candidate.slice(0, end);
  return isGroupedInFours(written) && passesMod97(written.replace(/ /g, "")) ? end : 0;
}

function isGroupedInFours(written: string): boolean {
  if (!written.includes(" ")) return true;
  const groups = written.split(" ");
  return groups.every((group, i) => (i === groups.length - 1 ? group.length >= 1 && group.length <= 4 : group.length === 4));
}

function passesMod97(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = char >= "A" ? char.charCodeAt(0) - 55 : Number(char);
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

// ---------------------------------------------------------------------------------------------------------------
// IP_ADDRESS

const IPV4 = /(?<![\w.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\w|\.\d)/g;
const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f:]{2,39}(?:(?:\.\d{1,3}){3})?/g;
const VERSION_CONTEXT = /version/i;

function findIpAddresses(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(IPV4)) {
    const octets = match.slice(1, 5);
    if (!octets.every(isOctet) || isUninterestingIpv4(octets.map(Number)) || followsVersionWord(text, match.index)) continue;
    spans.push(spanOf(SensitiveDataKind.IP_ADDRESS, match.index, match.index + match[0].length));
  }
  for (const match of text.matchAll(IPV6_CANDIDATE)) {
    const next = text[match.index + match[0].length];
    if (isWordChar(next) || next === ":" || (next === "." && isDigit(text[match.index + match[0].length + 1]))) continue;
    // "... is 2001:db8::1: it ..." - a colon after the address belongs to the sentence.
    const address = /[^:]:$/.test(match[0]) ? match[0].slice(0, -1) : match[0];
    if (!isInterestingIpv6(address)) continue;
    spans.push(spanOf(SensitiveDataKind.IP_ADDRESS, match.index, match.index + address.length));
  }
  return spans;
}

/** Leading zeros (`01.02.03.04`) mean a version or a code, not an address. */
function isOctet(octet: string): boolean {
  return Number(octet) <= 255 && (octet.length === 1 || octet[0] !== "0");
}

/** 0.0.0.0/8 and loopback say nothing about anyone; netmasks are configuration, not addresses. */
function isUninterestingIpv4(octets: readonly number[]): boolean {
  const first = octets[0];
  return first === 0 || first === 127 || (first === 255 && isNetmask(octets));
}

function isNetmask(octets: readonly number[]): boolean {
  const value = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const inverted = 0xffffffff - value;
  return (inverted & (inverted + 1)) === 0;
}

function followsVersionWord(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 24), start);
  return VERSION_CONTEXT.test(before.slice(before.lastIndexOf("\n") + 1));
}

function isInterestingIpv6(candidate: string): boolean {
  if (!candidate.includes(":") || !/\d/.test(candidate) || !isIPv6(candidate)) return false;
  if (candidate === "::" || candidate === "::1") return false;
  const groups = candidate.split(":").filter((group) => group.length > 0);
  if (groups.length >= 3) return true;
  if (/^::ffff:/i.test(candidate)) return true;
  // `fe80::1` is an address; `1::2` is more likely a slice (`a[1::2]`).
  return !candidate.startsWith(":") && groups[0].length >= 3;
}

// ---------------------------------------------------------------------------------------------------------------
// API_KEY_OR_SECRET

interface SecretPattern {
  /** Global; with the `d` flag and a `secret` group when only part of the match is the secret. */
  re: RegExp;
  accept: (secret: string) => boolean;
}

const SECRET_PATTERNS: readonly SecretPattern[] = [
  // AWS access key ids.
  { re: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g, accept: looksLikeIssuedToken },
  // AWS secret access keys only have a recognisable shape next to their name.
  {
    re: /aws_?secret_?access_?key["']?[ \t]*[:=][ \t]*["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dgi,
    accept: looksLikeIssuedToken,
  },
  // GitHub tokens.
  { re: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g, accept: looksLikeIssuedToken },
  { re: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}/g, accept: looksLikeIssuedToken },
  // Slack tokens.
  { re: /(?<![A-Za-z0-9_-])xox[baprs]-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+/g, accept: looksLikeIssuedToken },
  // Stripe secret and restricted keys (publishable `pk_` keys are public).
  { re: /(?<![A-Za-z0-9_])[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/g, accept: looksLikeIssuedToken },
  // OpenAI (`sk-`, `sk-proj-`) and Anthropic (`sk-ant-`) keys.
  { re: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}/g, accept: looksLikeIssuedToken },
  // Google API keys.
  { re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, accept: looksLikeIssuedToken },
  // JWTs.
  { re: /(?<![A-Za-z0-9_.-])eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, accept: hasJsonHeader },
  // `Authorization: Bearer <token>`: only the token is secret.
  {
    re: /(?<![A-Za-z0-9_])bearer[ \t]+(?<secret>[A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/-]=*)/dgi,
    accept: (token) => token.length >= 20 && looksRandom(token),
  },
  // `Authorization: Basic <base64 of user:password>`: the credentials are only base64-encoded.
  {
    re: /authorization["']?[ \t]*[:=][ \t]*["']?basic[ \t]+(?<secret>[A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/dgi,
    accept: isBasicCredentials,
  },
];

function findSecrets(text: string): Span[] {
  return [...findPatternSecrets(text), ...findPrivateKeyBlocks(text), ...findLabelledSecrets(text)];
}

function findPatternSecrets(text: string): Span[] {
  const spans: Span[] = [];
  for (const { re, accept } of SECRET_PATTERNS) {
    for (const match of text.matchAll(re)) {
      const [start, end] = match.indices?.groups?.secret ?? [match.index, match.index + match[0].length];
      if (accept(text.slice(start, end))) spans.push(spanOf(SensitiveDataKind.API_KEY_OR_SECRET, start, end));
    }
  }
  return spans;
}

/** Issued tokens are random: a run of x's or stars, or a token without any digit, is a placeholder. */
function looksLikeIssuedToken(token: string): boolean {
  return /\d/.test(token) && distinctCharacters(token) >= 8 && !/x{4,}|X{4,}|\*{3,}/.test(token);
}

function looksRandom(value: string): boolean {
  return !isPlaceholder(value) && characterClasses(value) >= 2 && shannonEntropy(value) >= 3.0;
}

function isBasicCredentials(encoded: string): boolean {
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  return /^[^:\s]+:\S{4,}$/.test(decoded) && !isPlaceholder(decoded.slice(decoded.indexOf(":") + 1));
}

function hasJsonHeader(jwt: string): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(jwt.slice(0, jwt.indexOf(".")), "base64url").toString("utf8"));
    return typeof header === "object" && header !== null && !Array.isArray(header);
  } catch {
    return false;
  }
}

// PEM private keys: RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP ("... PRIVATE KEY BLOCK").
const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY( BLOCK)?-----/g;
const PEM_BASE64_LINE = /^[ \t]*[A-Za-z0-9+/=]{16,}[ \t]*\r?$/;
const PEM_HEADER_LINE = /^[A-Za-z-]+: .*$/; // "Proc-Type: 4,ENCRYPTED", only before the base64 lines

function findPrivateKeyBlocks(text: string): Span[] {
  const spans: Span[] = [];
  // One END search per label: a later BEGIN with the same label finds the same (or no) END.
  const endSearches = new Map<string, number>();
  PEM_BEGIN.lastIndex = 0;
  for (let match = PEM_BEGIN.exec(text); match !== null; match = PEM_BEGIN.exec(text)) {
    const bodyStart = match.index + match[0].length;
    const endMarker = `-----END ${match[1]}PRIVATE KEY${match[2] ?? ""}-----`;
    let endAt = endSearches.get(endMarker);
    if (endAt === undefined || (endAt !== -1 && endAt < bodyStart)) {
      endAt = text.indexOf(endMarker, bodyStart);
      endSearches.set(endMarker, endAt);
    }
    const end = endAt === -1 ? endOfBase64Lines(text, bodyStart) : endAt + endMarker.length;
    if (/[A-Za-z0-9+/]{40,}/.test(text.slice(bodyStart, end))) {
      spans.push(spanOf(SensitiveDataKind.API_KEY_OR_SECRET, match.index, end));
      PEM_BEGIN.lastIndex = end;
    }
  }
  return spans;
}

/** A key pasted without its END line still leaks: flag through the base64 (and header) lines after BEGIN. */
function endOfBase64Lines(text: string, bodyStart: number): number {
  let end = bodyStart;
  let inHeaders = true;
  let lineStart = text.indexOf("\n", bodyStart);
  while (lineStart !== -1) {
    const lineEnd = text.indexOf("\n", lineStart + 1);
    const line = text.slice(lineStart + 1, lineEnd === -1 ? text.length : lineEnd);
    if (PEM_BASE64_LINE.test(line)) inHeaders = false;
    else if (!(inHeaders && PEM_HEADER_LINE.test(line))) break;
    end = lineStart + 1 + line.replace(/\s+$/, "").length;
    lineStart = lineEnd;
  }
  return end;
}

// Labelled secrets: `password = "..."`, `"token": "..."`, `API_KEY=...`, `--password=...`, `?token=...`.
// The label may be quoted (JSON) and is followed by `=`, `:`, `=>` or `:=`, but not `==` or `::`.
const LABEL = /(?<![A-Za-z0-9_.]|[A-Za-z0-9_.]-)(["'`]?)([A-Za-z_][A-Za-z0-9_.-]{0,63})\1[ \t]*(?:=>|:=|=(?!=)|:(?!:))[ \t]*/g;

const SECRET_WORDS: ReadonlySet<string> = new Set([
  "password", "passwd", "passphrase", "pwd", "pass", "secret", "token", "apikey", "secretkey", "accesskey",
  "privatekey", "credential", "credentials",
]);
/** `<qualifier>_key` is a secret; a bare `key` (dictionaries, React) is not. */
const KEY_QUALIFIERS: ReadonlySet<string> = new Set([
  "api", "secret", "private", "access", "auth", "signing", "encryption", "master", "client", "app",
]);
/** A label ending in one of these names something about a secret (its type, length, URL...), not the secret. */
const METADATA_WORDS: ReadonlySet<string> = new Set([
  "type", "types", "name", "names", "url", "uri", "urls", "endpoint", "path", "file", "filename", "dir",
  "length", "len", "count", "limit", "max", "min", "size", "id", "ids", "ttl", "expiry", "expires", "expiration",
  "exp", "at", "in", "header", "field", "policy", "label", "prompt", "hint", "placeholder", "regex", "pattern",
  "format", "version", "env", "var", "prefix", "suffix", "arn", "ref", "error", "errors", "message", "msg",
  "description", "help", "title", "rules", "validation", "strength", "required", "enabled", "mode", "kind",
]);

/** Longest value looked at; longer ones are blobs that other detectors (JWT, PEM) recognise by shape. */
const MAX_VALUE_LENGTH = 512;
// One past the maximum, so that an over-long value can be told apart from one that just fits.
const UNQUOTED_VALUE = new RegExp(`[^\\s,;()[\\]{}"'\`]{0,${MAX_VALUE_LENGTH + 1}}`, "y");
const QUERY_VALUE = new RegExp(`[^\\s&#"'<>]{0,${MAX_VALUE_LENGTH + 1}}`, "y");

function findLabelledSecrets(text: string): Span[] {
  const spans: Span[] = [];
  LABEL.lastIndex = 0;
  for (let match = LABEL.exec(text); match !== null; match = LABEL.exec(text)) {
    if (!isSecretLabel(match[2])) continue;
    // In a URL query (`?token=...&page=2`) the value ends at the next parameter.
    const inQuery = text[match.index - 1] === "?" || text[match.index - 1] === "&";
    const value = readValue(text, match.index + match[0].length, inQuery);
    if (value === undefined || !isLabelledSecretValue(text, value)) continue;
    spans.push(spanOf(SensitiveDataKind.API_KEY_OR_SECRET, value.start, value.end));
    LABEL.lastIndex = Math.max(LABEL.lastIndex, value.end);
  }
  return spans;
}

function isSecretLabel(label: string): boolean {
  const words = label
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
  if (words.length === 0 || METADATA_WORDS.has(words[words.length - 1])) return false;
  return words.some((word, i) => SECRET_WORDS.has(word) || (word === "key" && KEY_QUALIFIERS.has(words[i - 1] ?? "")));
}

interface Value {
  start: number;
  end: number;
  quoted: boolean;
}

function readValue(text: string, start: number, inQuery: boolean): Value | undefined {
  const quote = text[start];
  if (quote === '"' || quote === "'" || quote === "`") {
    for (let i = start + 1; i < text.length && i - start <= MAX_VALUE_LENGTH; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === quote) return { start: start + 1, end: i, quoted: true };
      else if (text[i] === "\n") return undefined;
    }
    return undefined;
  }
  const pattern = inQuery ? QUERY_VALUE : UNQUOTED_VALUE;
  pattern.lastIndex = start;
  let end = start + (pattern.exec(text)?.[0].length ?? 0);
  if (end - start > MAX_VALUE_LENGTH) return undefined;
  // A sentence may end right after an unquoted value.
  while (end > start && text[end - 1] === ".") end--;
  return { start, end, quoted: false };
}

function isLabelledSecretValue(text: string, { start, end, quoted }: Value): boolean {
  const value = text.slice(start, end);
  if (value.length < 8 || isPlaceholder(value) || isProse(value) || isPathOrUrl(value)) return false;
  if (!quoted && isCodeExpression(value, text[end])) return false;
  if (value.length < 12) return characterClasses(value) >= 3;
  return characterClasses(value) >= 2 && shannonEntropy(value) >= 3.0;
}

const PLACEHOLDER_SHAPES: readonly RegExp[] = [
  /^\s*$/,
  /^<.*>$/s,
  /^\[.*\]$/s,
  /^\{\{.*\}\}$/s,
  /^\$\{/,
  /^\$[A-Za-z_]\w*$/,
  /^%[A-Za-z_]\w*%$/,
  /process\.env|os\.environ|os\.getenv|getenv\(|import\.meta\.env|\bENV\[|\benv\(/i,
  /x{4,}|\*{3,}|\.{3,}|#{4,}|-{4,}|_{4,}|•{3,}/i,
  /^(?:changeme|change_me|password|secret|placeholder|redacted|dummy|example|sample|test|none|null|undefined|true|false|todo|tbd)$/i,
  /your[_\- ]?(?:api[_\- ]?|access[_\- ]?|secret[_\- ]?)?(?:key|token|secret|password|pass)|[_-]here\b|replace[_\- ]?me|insert[_\- ]|change[_\- ]?me|placeholder|redacted|example/i,
];

function isPlaceholder(value: string): boolean {
  return PLACEHOLDER_SHAPES.some((re) => re.test(value));
}

/** UI strings ("Password must be at least 8 characters") are mostly words. */
function isProse(value: string): boolean {
  const words = value.trim().split(/\s+/);
  if (words.length < 3) return false;
  const plain = words.filter((word) => /^[A-Za-z][a-z]*[.,!?:]?$/.test(word)).length;
  return plain / words.length >= 0.75;
}

function isPathOrUrl(value: string): boolean {
  return /^(?:~|\.{1,2})?\/[\w./-]*$/.test(value) || /^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i.test(value);
}

/** Unquoted values in code are usually expressions: `getToken()`, `config.apiKey`, `Optional[str]`, `PasswordHash`. */
function isCodeExpression(value: string, next: string | undefined): boolean {
  if (next === "(" || next === "[") return true;
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value)) return true;
  return /^[A-Za-z_$][\w$]*$/.test(value) && !/\d/.test(value);
}
