// Sensitive-data detection: what is flagged before a conversation is shared, exactly where, and what is left alone.
import { findSensitiveData, SensitiveDataKind, SensitiveDataWarning } from "../src/share/sensitive-data";

const { EMAIL, PHONE_NUMBER, PAYMENT_CARD, API_KEY_OR_SECRET, IP_ADDRESS, IBAN } = SensitiveDataKind;

/** The flagged pieces of one message, as [kind, text] pairs in order. */
function flagged(content: string): [SensitiveDataKind, string][] {
  return findSensitiveData([{ content }]).map((w) => [w.kind, content.slice(w.start, w.end)]);
}

/** The flagged texts of one kind in one message. */
function flaggedAs(kind: SensitiveDataKind, content: string): string[] {
  return flagged(content)
    .filter(([k]) => k === kind)
    .map(([, text]) => text);
}

function expectNoOverlaps(warnings: readonly SensitiveDataWarning[]): void {
  for (let i = 1; i < warnings.length; i++) {
    const [previous, current] = [warnings[i - 1], warnings[i]];
    if (previous.messageIndex === current.messageIndex) expect(current.start).toBeGreaterThanOrEqual(previous.end);
  }
}

describe("findSensitiveData", () => {
  it("returns nothing for no messages or empty messages", () => {
    expect(findSensitiveData([])).toEqual([]);
    expect(findSensitiveData([{ content: "" }, { content: "   " }])).toEqual([]);
  });

  it("reports the message index and orders warnings by message, then by position", () => {
    const messages = [
      { content: "Hi! What's the weather like?" },
      { content: "Call +44 20 7946 0958 or mail jane.doe@example.com" },
      { content: "Server 192.168.1.20, card 4111 1111 1111 1111" },
    ];
    const warnings = findSensitiveData(messages);
    expect(warnings.map(({ kind, messageIndex }) => [messageIndex, kind])).toEqual([
      [1, PHONE_NUMBER],
      [1, EMAIL],
      [2, IP_ADDRESS],
      [2, PAYMENT_CARD],
    ]);
    for (const w of warnings) expect(w.start).toBeLessThan(w.end);
  });

  it("gives exact ranges that slice the sensitive text out of the message", () => {
    const content = "email: jane@example.com; phone: (415) 555-0132; iban: DE89 3704 0044 0532 0130 00.";
    const warnings = findSensitiveData([{ content }]);
    expect(warnings).toEqual([
      { kind: EMAIL, messageIndex: 0, start: 7, end: 23 },
      { kind: PHONE_NUMBER, messageIndex: 0, start: 32, end: 46 },
      { kind: IBAN, messageIndex: 0, start: 54, end: 81 },
    ]);
    expect(warnings.map((w) => content.slice(w.start, w.end))).toEqual([
      "jane@example.com",
      "(415) 555-0132",
      "DE89 3704 0044 0532 0130 00",
    ]);
  });

  it("counts offsets in UTF-16 code units, as JavaScript strings do", () => {
    const content = "😀🎉 café → jane@example.com";
    const [warning] = findSensitiveData([{ content }]);
    expect(warning.start).toBe(content.indexOf("jane"));
    expect(content.slice(warning.start, warning.end)).toBe("jane@example.com");
  });

  it("finds everything in a realistic message and never reports overlapping ranges", () => {
    const content = [
      "Here is my config, can you see why the deploy fails?",
      "```",
      "DATABASE_HOST=10.20.30.40",
      'OPENAI_API_KEY="sk-proj-4fG7hJ2kL9mN3pQ8rS1tV6wX0yZ5aB"',
      "ADMIN_EMAIL=ops-team@acme-corp.example.com",
      "```",
      "Billing contact is +1 (415) 555-0132, card 5500-0000-0000-0004, refund to GB82 WEST 1234 5698 7654 32.",
    ].join("\n");
    const warnings = findSensitiveData([{ content }]);
    expect(warnings.map((w) => [w.kind, content.slice(w.start, w.end)])).toEqual([
      [IP_ADDRESS, "10.20.30.40"],
      [API_KEY_OR_SECRET, "sk-proj-4fG7hJ2kL9mN3pQ8rS1tV6wX0yZ5aB"],
      [EMAIL, "ops-team@acme-corp.example.com"],
      [PHONE_NUMBER, "+1 (415) 555-0132"],
      [PAYMENT_CARD, "5500-0000-0000-0004"],
      [IBAN, "GB82 WEST 1234 5698 7654 32"],
    ]);
    expectNoOverlaps(warnings);
  });
});

describe("EMAIL", () => {
  it("flags an ordinary address with a plus tag and a multi-part domain", () => {
    const content = "Write to jane.doe+tag@mail.example.co.uk for access.";
    expect(findSensitiveData([{ content }])).toEqual([{ kind: EMAIL, messageIndex: 0, start: 9, end: 40 }]);
  });

  it("flags an address at the end of a sentence without the full stop", () => {
    expect(flagged("My address is bob_smith99@example.org.")).toEqual([[EMAIL, "bob_smith99@example.org"]]);
  });

  it("flags an address inside angle brackets and after mailto:", () => {
    expect(flaggedAs(EMAIL, "Author: Jane <jane@example.com>, mailto:support@example.net")).toEqual([
      "jane@example.com",
      "support@example.net",
    ]);
  });

  it.each([
    ["a decorator", "@Component({ selector: 'app' }) and @app.route('/')"],
    ["an npm scope", "npm i -D @types/node @angular/core@17.0.0"],
    ["a package pinned to a version", "npm install lodash@4.17.21"],
    ["a host without a dot", "ssh root@localhost"],
    ["a retina asset name", 'background: url("logo@2x.png")'],
    ["an scp-style git remote (documented choice)", "git clone git@github.com:org/repo.git"],
    ["a social media handle", "follow @chatshare for updates"],
  ])("does not flag %s", (_what, content) => {
    expect(flaggedAs(EMAIL, content)).toEqual([]);
  });
});

describe("PHONE_NUMBER", () => {
  it.each([
    ["an international number with spaces", "+44 20 7946 0958"],
    ["an international number with an area code in parentheses", "+1 (415) 555-0132"],
    ["a French number written in pairs", "+33 1 23 45 67 89"],
    ["an international number without separators", "+4915123456789"],
    ["a North-American number with parentheses", "(415) 555-0132"],
    ["a North-American number with dashes", "415-555-0132"],
    ["a North-American number with dots", "415.555.0132"],
    ["a North-American number with spaces", "415 555 0132"],
    ["a toll-free number with a leading 1", "1-800-555-0199"],
  ])("flags %s", (_what, phone) => {
    const content = `Reach me at ${phone}, thanks.`;
    expect(findSensitiveData([{ content }])).toEqual([
      { kind: PHONE_NUMBER, messageIndex: 0, start: 12, end: 12 + phone.length },
    ]);
  });

  it.each([
    ["a date", "Released on 2024-05-01 and 05/01/2024."],
    ["a time", "The job runs at 12:30:45 daily."],
    ["version numbers", "Upgrade from 1.2.3 to v10.4.1 (node 20.19.0)."],
    ["a bare ten-digit integer", "The id is 1234567890."],
    ["a ten-digit integer literal in code", "const n = 4155550132;"],
    ["an IP address", "Connect to 192.168.100.200 now."],
    ["a card number", "Pay with 4111 1111 1111 1111."],
    ["a UUID", "Request 123e4567-e89b-12d3-a456-426614174000 failed."],
    ["an all-digit UUID", "Row 12345678-1234-5678-1234-567812345678 is missing."],
    ["a hex hash", "Commit 4155550132a94a8fe5ccb19ba61c4c0873d391e9 fixed it."],
    ["arithmetic", "Compute 3 - 4 - 5 and 10 - 20 - 30."],
    ["a number with an invalid North-American area code", "Placeholder 123-456-7890."],
    ["a local number without an area code", "Dial 555-0132."],
    ["a plus sign with too few digits", "Score +12 345."],
    ["a plus sign with too many digits", "Value +1234567890123456."],
    ["an ISBN", "ISBN 978-3-16-148410-0"],
    ["a US ZIP+4 code", "San Francisco, CA 94103-1234"],
  ])("does not flag %s", (_what, content) => {
    expect(flaggedAs(PHONE_NUMBER, content)).toEqual([]);
  });
});

describe("PAYMENT_CARD", () => {
  it.each([
    ["a Luhn-valid Visa number with spaces", "4111 1111 1111 1111"],
    ["a Luhn-valid Mastercard number with dashes", "5500-0000-0000-0004"],
    ["a Luhn-valid Visa number without separators", "4012888888881881"],
    ["an Amex number grouped 4-6-5", "3782 822463 10005"],
    ["an ungrouped Amex number", "378282246310005"],
    ["a Discover number", "6011 1111 1111 1117"],
    ["a 2-series Mastercard number", "2223000048410010"],
  ])("flags %s", (_what, card) => {
    const content = `Card: ${card}, exp 12/27`;
    expect(findSensitiveData([{ content }])).toEqual([
      { kind: PAYMENT_CARD, messageIndex: 0, start: 6, end: 6 + card.length },
    ]);
  });

  it("flags a card followed by its CVV, but only the card", () => {
    expect(flagged("4111 1111 1111 1111 123")).toEqual([[PAYMENT_CARD, "4111 1111 1111 1111"]]);
  });

  it("flags a card that follows another number on the same line", () => {
    expect(flagged("qty 2 4111 1111 1111 1111")).toEqual([[PAYMENT_CARD, "4111 1111 1111 1111"]]);
  });

  it("flags several cards in a row separately", () => {
    expect(flaggedAs(PAYMENT_CARD, "378282246310005 4012888888881881")).toEqual(["378282246310005", "4012888888881881"]);
  });

  it.each([
    ["a Luhn-invalid number with spaces", "4111 1111 1111 1112"],
    ["a Luhn-invalid number with dashes", "5500-0000-0000-0005"],
    ["a Luhn-invalid number without separators", "4012888888881882"],
    ["a Luhn-valid number that is part of a longer digit run", "41111111111111111115"],
    ["a Luhn-valid number glued to letters", "order4111111111111111 and 4111111111111111abc"],
    ["a Luhn-valid number with a decimal part", "4111111111111111.50"],
    ["a millisecond timestamp", "1700000000000"],
    ["a Luhn-valid millisecond timestamp (no card starts with 1)", "1700000000004"],
    ["a Luhn-valid number with no issuer prefix", "1234567812345670 and 9000000000000001"],
    ["a Luhn-valid Visa-prefixed number of a length Visa does not issue", "41111111111114"],
    ["a Luhn-valid number with irregular grouping", "41 1111 1111 1111 11"],
    ["a number with mixed separators", "4111 1111-1111 1111"],
  ])("does not flag %s", (_what, content) => {
    expect(flaggedAs(PAYMENT_CARD, content)).toEqual([]);
  });
});

describe("IBAN", () => {
  it.each([
    ["a German IBAN grouped in fours", "DE89 3704 0044 0532 0130 00"],
    ["a British IBAN without spaces", "GB82WEST12345698765432"],
    ["a British IBAN with spaces", "GB82 WEST 1234 5698 7654 32"],
    ["a Norwegian IBAN (the shortest)", "NO93 8601 1117 947"],
    ["a French IBAN with a letter in the account number", "FR14 2004 1010 0505 0001 3M02 606"],
  ])("flags %s", (_what, iban) => {
    const content = `IBAN: ${iban} (please pay by Friday)`;
    expect(findSensitiveData([{ content }])).toEqual([{ kind: IBAN, messageIndex: 0, start: 6, end: 6 + iban.length }]);
  });

  it("flags two IBANs written next to each other", () => {
    expect(flaggedAs(IBAN, "DE89370400440532013000 GB82WEST12345698765432")).toEqual([
      "DE89370400440532013000",
      "GB82WEST12345698765432",
    ]);
  });

  it.each([
    ["a German IBAN with a bad checksum", "DE89 3704 0044 0532 0130 01"],
    ["a British IBAN with a bad checksum", "GB82WEST12345698765433"],
    ["an IBAN one character short for its country", "DE89 3704 0044 0532 0130 0"],
    ["an IBAN glued to more characters", "GB82WEST12345698765432X"],
    ["an unknown country code", "ZZ89 3704 0044 0532 0130 00"],
    ["irregular grouping", "DE89 37040044 0532013000"],
    ["a lower-case IBAN", "de89 3704 0044 0532 0130 00"],
    ["an upper-case identifier of IBAN shape", "AB12CDEFGHIJKLMNOPQR"],
  ])("does not flag %s", (_what, content) => {
    expect(flaggedAs(IBAN, content)).toEqual([]);
  });
});

describe("IP_ADDRESS", () => {
  it.each([
    ["a private IPv4 address", "192.168.1.20"],
    ["a public IPv4 address", "8.8.8.8"],
    ["a compressed IPv6 address", "2001:db8::8a2e:370:7334"],
    ["a full IPv6 address", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"],
    ["a link-local IPv6 address", "fe80::1"],
    ["an IPv4-mapped IPv6 address", "::ffff:192.0.2.1"],
  ])("flags %s", (_what, ip) => {
    const content = `host ${ip} is down`;
    expect(findSensitiveData([{ content }])).toEqual([{ kind: IP_ADDRESS, messageIndex: 0, start: 5, end: 5 + ip.length }]);
  });

  it("flags an address with a port, but not the port", () => {
    expect(flagged("curl http://192.168.1.20:8080/health and [2001:db8::1]:443")).toEqual([
      [IP_ADDRESS, "192.168.1.20"],
      [IP_ADDRESS, "2001:db8::1"],
    ]);
  });

  it("flags an address followed by punctuation", () => {
    expect(flaggedAs(IP_ADDRESS, "It was 10.0.0.7. Then 2001:db8::1: gone.")).toEqual(["10.0.0.7", "2001:db8::1"]);
  });

  it.each([
    ["a five-part version string", "Bump to 1.2.3.4.5 today"],
    ["a three-part version", "Use 10.0.0 or later"],
    ["a dotted quad with an octet over 255", "Try 256.1.1.1 and 192.168.1.300"],
    ["a dotted quad with leading zeros", "Code 01.02.03.04"],
    ["a four-part version after the word version", "version 1.0.0.1 and AssemblyVersion(\"4.7.2.0\")"],
    ["a browser version", "Chrome/120.0.6099.109"],
    ["a dotted quad inside a longer dotted sequence", "OID 1.3.6.1.4.1.311"],
    ["a time", "At 12:30:45 it rang"],
    ["a MAC address", "MAC 00:1A:2B:3C:4D:5E"],
    ["the IPv4 loopback address (documented choice)", "listening on 127.0.0.1:4000"],
    ["the IPv6 loopback address (documented choice)", "listening on ::1 and [::1]:4000"],
    ["the unspecified address", "bind 0.0.0.0:8080"],
    ["a netmask", "netmask 255.255.255.0"],
    ["a Python slice", "print(arr[::2], arr[1::3], arr[10::20])"],
    ["a C++ or Rust path", "std::vector<int> v; <T as Add>::add(a, b); Vec::new()"],
  ])("does not flag %s", (_what, content) => {
    expect(flaggedAs(IP_ADDRESS, content)).toEqual([]);
  });
});

describe("API_KEY_OR_SECRET", () => {
  describe("provider formats", () => {
    it.each([
      ["an AWS access key id", "AKIAIOSFODNN7EXAMPLE"],
      ["an AWS temporary access key id", "ASIAY34FZKBOKMUTVV7A"],
      ["a GitHub personal access token", "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"],
      ["a GitHub OAuth token", "gho_16C7e42F292c6912E7710c838347Ae178B4a"],
      ["a GitHub fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"],
      ["a Slack bot token", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"],
      ["a Stripe live secret key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
      ["a Stripe test secret key", "sk_test_51HxYzAbCdEf0123456789"],
      ["a Stripe restricted key", "rk_live_51HxYzAbCdEf0123456789"],
      ["an OpenAI key", "sk-abc123DEF456ghi789JKL012mno345"],
      ["an OpenAI project key", "sk-proj-abc123DEF456ghi789JKL012"],
      ["an Anthropic key", "sk-ant-api03-abcDEF123ghiJKL456mnoPQR789"],
      ["a Google API key", "AIzaSyA1234567890abcdefghijklmnopqrstuv"],
      [
        "a JWT",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
      ],
    ])("flags %s", (_what, token) => {
      const content = `I used ${token} in my script.`;
      expect(findSensitiveData([{ content }])).toEqual([
        { kind: API_KEY_OR_SECRET, messageIndex: 0, start: 7, end: 7 + token.length },
      ]);
    });

    it("flags only the value of an AWS secret access key assignment", () => {
      const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
      expect(flagged(`aws_secret_access_key = ${secret}`)).toEqual([[API_KEY_OR_SECRET, secret]]);
      expect(flagged(`AWS_SECRET_ACCESS_KEY: "${secret}"`)).toEqual([[API_KEY_OR_SECRET, secret]]);
    });

    it("flags only the token of a Bearer authorization header", () => {
      const content = "curl -H 'Authorization: Bearer abcDEF123456ghiJKL789mno' https://api.example.com";
      const [warning] = findSensitiveData([{ content }]);
      expect(content.slice(warning.start, warning.end)).toBe("abcDEF123456ghiJKL789mno");
    });

    it("flags a bare Bearer token", () => {
      expect(flagged("use Bearer 9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c")).toEqual([
        [API_KEY_OR_SECRET, "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c"],
      ]);
    });

    it("flags the credentials of a Basic authorization header", () => {
      expect(flagged("Authorization: Basic amFuZTpTM2NyM3QtUGE1NQ==")).toEqual([
        [API_KEY_OR_SECRET, "amFuZTpTM2NyM3QtUGE1NQ=="],
      ]);
    });

    it("reports a JWT sent as a Bearer token once", () => {
      const jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
      expect(flagged(`Authorization: Bearer ${jwt}`)).toEqual([[API_KEY_OR_SECRET, jwt]]);
    });

    it.each([
      ["a GitHub token made of x's", "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"],
      ["an AWS key id made of X's", "AKIAXXXXXXXXXXXXXXXX"],
      ["an OpenAI key placeholder", "export OPENAI_API_KEY=sk-your-openai-api-key-goes-here"],
      ["a Stripe publishable key", "pk_live_4eC39HqLyjWDarjtT1zdp7dc"],
      ["a Bearer placeholder", "Authorization: Bearer <token> or Bearer $TOKEN or Bearer ${token}"],
      ["a Bearer token that is too short", "Authorization: Bearer abc123"],
      ["a Bearer placeholder of the right length", "Authorization: Bearer YOUR_ACCESS_TOKEN_HERE"],
      ["Basic credentials that are a placeholder", "Authorization: Basic dXNlcjpwYXNzd29yZA=="],
      ["eyJ-prefixed segments without a JSON header", "eyJub3QganNvbiBhdCBhbGw.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop"],
      ["the word bearer in prose", "The bearer of this letter is a friend."],
    ])("does not flag %s", (_what, content) => {
      expect(flaggedAs(API_KEY_OR_SECRET, content)).toEqual([]);
    });
  });

  describe("PEM private keys", () => {
    const body = [
      "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi4Eq3EOGBwQ6Hq8QbPX5zY2lJd",
      "k7Gk2c9vP4y8FhQmT1x0Yb3nR6sW5eZ7uA2iL8oJ9dKcVfXgHqBwNtMyEjUpDrSa",
    ].join("\n");

    it("flags the whole block from BEGIN to END", () => {
      const block = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
      const content = `My key is:\n${block}\nWhy does ssh reject it?`;
      expect(findSensitiveData([{ content }])).toEqual([
        { kind: API_KEY_OR_SECRET, messageIndex: 0, start: 11, end: 11 + block.length },
      ]);
    });

    it("flags an OpenSSH and an encrypted PKCS#8 key", () => {
      const openssh = `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----`;
      const pkcs8 = `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body}\n-----END ENCRYPTED PRIVATE KEY-----`;
      expect(flaggedAs(API_KEY_OR_SECRET, `${openssh}\n\n${pkcs8}`)).toEqual([openssh, pkcs8]);
    });

    it("flags a key written with escaped newlines inside JSON", () => {
      const key = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\\n-----END PRIVATE KEY-----";
      expect(flaggedAs(API_KEY_OR_SECRET, `{"type": "service_account", "private_key": "${key}\\n"}`)).toContain(key);
    });

    it("flags a truncated key through its last base64 line", () => {
      const content = `-----BEGIN PRIVATE KEY-----\n${body}\n\nThat is all I copied, is it enough?`;
      expect(flagged(content)).toEqual([[API_KEY_OR_SECRET, `-----BEGIN PRIVATE KEY-----\n${body}`]]);
    });

    it("flags the headers of a truncated encrypted key but not the prose after it", () => {
      const key = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D\n${body}`;
      expect(flagged(`${key}\nNote: I cut it off here.`)).toEqual([[API_KEY_OR_SECRET, key]]);
    });

    it.each([
      ["a public key", `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`],
      ["a certificate", `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`],
      ["a private key skeleton from documentation", "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"],
      ["a mention of the header line in prose", "The file must start with -----BEGIN RSA PRIVATE KEY----- exactly."],
    ])("does not flag %s", (_what, content) => {
      expect(flaggedAs(API_KEY_OR_SECRET, content)).toEqual([]);
    });
  });

  describe("labelled values", () => {
    it.each([
      ["a quoted password assignment", 'password = "Tr0ub4dor&3xyz"', "Tr0ub4dor&3xyz"],
      ["an api_key in YAML", "api_key: 9f8a7b6c5d4e3f2a1b0c", "9f8a7b6c5d4e3f2a1b0c"],
      ["a SECRET_KEY in an env file", "SECRET_KEY=django-insecure-h3k9x2m1p0", "django-insecure-h3k9x2m1p0"],
      ["a JSON token", '{"token": "Zm9vYmFyYmF6cXV4MTIz"}', "Zm9vYmFyYmF6cXV4MTIz"],
      ["a client_secret", "client_secret: 'aB3$kL9@pQ2!'", "aB3$kL9@pQ2!"],
      ["a passwd", "passwd=S3cr3t!Pass", "S3cr3t!Pass"],
      ["a pwd", "pwd := 'Qz7!vN2#rT'", "Qz7!vN2#rT"],
      ["a camelCase apiKey", 'const apiKey = "f3A9b2C8d1E7f4A6";', "f3A9b2C8d1E7f4A6"],
      ["an HTTP API key header", "X-Api-Key: 3f9a2b7c1d8e4f60", "3f9a2b7c1d8e4f60"],
      ["a command-line password flag", "mysql --password=Xk9#mP2$vL -h db", "Xk9#mP2$vL"],
      ["an access token in a URL query", "GET /v1/me?access_token=9a8b7c6d5e4f3a2b1c0d9e8f&page=2", "9a8b7c6d5e4f3a2b1c0d9e8f"],
      ["a password in prose after a colon", "My password: Tr0ub4dor&3. Keep it safe.", "Tr0ub4dor&3"],
      ["a Ruby-style hash entry", ":secret => 'p4ssW0rd-f0r-pr0d'", "p4ssW0rd-f0r-pr0d"],
    ])("flags the value of %s", (_what, content, secret) => {
      const warnings = findSensitiveData([{ content }]);
      expect(warnings).toEqual([
        { kind: API_KEY_OR_SECRET, messageIndex: 0, start: content.indexOf(secret), end: content.indexOf(secret) + secret.length },
      ]);
    });

    it.each([
      ["an angle-bracket placeholder", "API_KEY=<your-key-here>"],
      ["a your_..._here placeholder", "OPENAI_API_KEY=your_api_key_here"],
      ["x's", "api_key: xxxxxxxxxxxxxxxx"],
      ["stars", 'password: "****************"'],
      ["changeme", "SECRET_KEY=changeme"],
      ["an environment variable read in Node", "const token = process.env.GITHUB_TOKEN;"],
      ["a shell variable expansion", "JWT_SECRET=${JWT_SECRET}"],
      ["a Python environment lookup", 'password = os.environ["DB_PASSWORD"]'],
      ["a templated value", "password: '{{ vault_db_password }}'"],
      ["a GitHub Actions secret reference", "token: ${{ secrets.GITHUB_TOKEN }}"],
      ["an empty value", 'password = ""'],
      ["a TypeScript type annotation", "interface User { password: string; token?: string | null }"],
      ["a Python type hint", "def login(password: Optional[str] = None): ..."],
      ["a function call", "const token = await getAccessToken();\nsecret = crypto.randomBytes(32)"],
      ["a member access", "this.apiKey = config.apiKey;\nsecret_key = settings.SECRET_KEY"],
      ["a type name", "password: PasswordHash,"],
      ["a short password", "password = 'hunter2'"],
      ["a value with too little variety", "password = 'aaaaaaaaaaaaaaaa1'"],
      ["a numeric setting", "max_tokens = 4096\ntoken_limit: 100000000"],
      ["a metadata label", 'token_type = "authorization_code"\nsecretName: prod-db-credentials'],
      ["a UI message", '"password_error": "Password must be at least 8 characters long"'],
      ["a translated label", '"password": "Password", "forgot_password": "Forgot your password?"'],
      ["a working directory", "PWD=/home/jane/projects/chat-share"],
      ["a token endpoint", "token_url = https://oauth2.googleapis.com/token"],
      ["prose with a colon", "Token: authentication failed. Password: unbelievable."],
      ["a comparison", 'if password == "Tr0ub4dor&3xyz": pass'],
    ])("does not flag %s", (_what, content) => {
      expect(flaggedAs(API_KEY_OR_SECRET, content)).toEqual([]);
    });
  });
});

describe("overlapping findings", () => {
  it("keeps a secret over a phone number inside it", () => {
    expect(flagged('password = "+1 415 555 0132 Zq!"')).toEqual([[API_KEY_OR_SECRET, "+1 415 555 0132 Zq!"]]);
  });

  it("keeps the longer finding when two generic ones overlap", () => {
    expect(flagged("reverse DNS: host@192.168.1.20.example.com")).toEqual([[EMAIL, "host@192.168.1.20.example.com"]]);
  });

  it("reports a key found by two detectors once", () => {
    const key = "sk-proj-4fG7hJ2kL9mN3pQ8rS1tV6wX0yZ5aB";
    expect(flagged(`OPENAI_API_KEY="${key}"`)).toEqual([[API_KEY_OR_SECRET, key]]);
  });

  it("prefers an international phone number over the North-American number inside it", () => {
    expect(flagged("+1 415-555-0132")).toEqual([[PHONE_NUMBER, "+1 415-555-0132"]]);
  });
});

describe("false positives on ordinary prose and code", () => {
  const BENIGN: [string, string][] = [
    [
      "an English paragraph with numbers and dates",
      `On 2024-05-01 at 12:30:45 we shipped release 3.2 to 1,250 customers. Revenue grew 12.5% to $4,300,000 in
Q1 2024, and the team of 42 closed 318 tickets (up from 276). The meeting is at 9:30 am on May 3rd.
We expect 10-15% growth, roughly 3 - 4 - 5 new hires, and a 99.95% uptime SLA. Population: 8,336,817.`,
    ],
    [
      "a recipe",
      `Pancakes (serves 4)
- 250 g flour, 2 eggs, 500 ml milk, 1 tbsp sugar, 1/2 tsp salt
- Heat the pan to 180-200 °C. Cook each side for 2-3 minutes.
Tip: rest the batter 30 min. Makes 12-14 pancakes of 15 cm.`,
    ],
    [
      "Python code with version numbers",
      `import numpy as np  # numpy==1.26.4, python 3.12.1
from typing import Optional

class Client:
    def __init__(self, token: Optional[str] = None, password: str = "") -> None:
        self.token = token
        self.timeout = 1234567890

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

def area(r: float) -> float:
    return 3.14159265358979 * r ** 2

arr = np.arange(100)
print(arr[::2], arr[1::3], arr[10:20])
weights = W @ x.T
api_key = os.getenv("OPENAI_API_KEY")`,
    ],
    [
      "TypeScript code with decorators and a credentials interface",
      `// target ES2022, node v20.19.0
import type { Request } from "@types/express";
import { Component } from "@angular/core";

export interface Credentials {
  username: string;
  password: string;
  apiKey?: string;
}

@Component({ selector: "app-root" })
export class AppComponent {
  private readonly maxTokens = 4096;
  private readonly createdAt = 1700000000000;
  tokenType = "bearer";
  passwordMinLength = 12;
  constructor(private readonly config: Config) {
    this.apiKey = config.apiKey;
    const n = 4155550132;
  }
}`,
    ],
    [
      "hex colors and UUIDs",
      `Colors: #ff5733, #1a2b3c, #000, rgb(255, 255, 255), hsl(210 40% 98%).
UUIDs: 123e4567-e89b-12d3-a456-426614174000, 550e8400-e29b-41d4-a716-446655440000,
12345678-1234-5678-1234-567812345678.`,
    ],
    [
      "SHA-256 hashes and git commit hashes",
      `SHA-256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
Commit a94a8fe5ccb19ba61c4c0873d391e987982fbbd3 (short: a94a8fe) merged into main.
Image sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945`,
    ],
    [
      "semver ranges and other version strings",
      `Supported: ^4.17.21, ~1.2.3, >=1.2.3 <2.0.0, 1.x || 2.x, 0.0.0-beta.1, 1.2.3.4.5, 10.0.0, v10.4.1,
version 1.0.0.1, AssemblyVersion("4.7.2.0"), Chrome/120.0.6099.109, Windows 10.0.19045.3693`,
    ],
    [
      "a package.json",
      `{
  "name": "chat-share",
  "version": "0.1.0",
  "private": true,
  "engines": { "node": ">=20.19.0" },
  "dependencies": { "graphql": "^16.12.0", "@apollo/server": "^5.5.1", "typeorm": "^1.1.1" },
  "devDependencies": { "@types/node": "^20.19.0", "typescript": "~5.9.3" },
  "scripts": { "test": "jest --maxWorkers=2" }
}`,
    ],
    [
      "an SQL query",
      `SELECT u.id, u.email_verified, COUNT(o.id) AS orders
FROM users u JOIN orders o ON o.user_id = u.id
WHERE o.created_at BETWEEN '2024-01-01' AND '2024-12-31' AND o.total > 1000.50
  AND u.id IN (415, 555, 1234) AND o.ref = 'ORD-2024-000123'
GROUP BY u.id HAVING COUNT(o.id) >= 10 LIMIT 100 OFFSET 200;`,
    ],
    [
      "math",
      `Solve 3x + 4 = 19, so x = 5. Then 2^10 = 1024, 10! = 3628800 and 1e9+7 = 1000000007.
The series 1, 1, 2, 3, 5, 8, 13, 21; pi = 3.14159265358979323846; e = 2.718281828459045.
The determinant of [[1, 2], [3, 4]] is -2; 12 345 678 is twelve million; 6 * 7 = 42.`,
    ],
    [
      "a markdown table",
      `| Version | Date       | Downloads | Size   |
|---------|------------|-----------|--------|
| 1.2.3   | 2024-05-01 | 1,234,567 | 4.2 MB |
| 1.3.0   | 2024-06-15 | 2,345,678 | 4.4 MB |
| 2.0.0   | 2024-09-30 | 9,876,543 | 5.1 MB |`,
    ],
    [
      "URLs with query parameters",
      `See https://example.com/search?q=sensitive+data&page=2&sort=desc&utm_source=newsletter&utm_campaign=2024-05
and https://docs.github.com/en/rest/repos?apiVersion=2022-11-28#list and http://localhost:4000/graphql`,
    ],
    [
      "a placeholder env file",
      `# .env.example
API_KEY=<your-key-here>
OPENAI_API_KEY=your_api_key_here
SECRET_KEY=changeme
DB_PASSWORD=
JWT_SECRET=\${JWT_SECRET}
GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx
AWS_SECRET_ACCESS_KEY=****************
PASSWORD="{{ vault.password }}"`,
    ],
    [
      "empty passwords and password types",
      `password = ""
password: string
passwd = None
pwd = os.getcwd()
token_type = "authorization_code"
max_tokens = 4096`,
    ],
    [
      "shell commands",
      `$ npm install --save-dev @types/node@20
$ docker run -p 8080:80 -e NODE_ENV=production nginx:1.25.3
$ git clone git@github.com:org/repo.git && git checkout v2.1.0
$ curl -H "Authorization: Bearer $TOKEN" http://localhost:3000
$ chmod 755 ./run.sh && sleep 1.5`,
    ],
    [
      "Rust and C++ code",
      `use std::collections::HashMap;
let v: Vec<u8> = Vec::new();
std::vector<int> xs{1, 2, 3}; auto it = std::find(xs.begin(), xs.end(), 2);
let mac = "00:1A:2B:3C:4D:5E"; let t = "12:30:45";`,
    ],
    [
      "server logs",
      `2024-05-01T12:30:45.123Z INFO listening on 0.0.0.0:4000 (pid 48213)
2024-05-01T12:30:46.004Z WARN slow query took 1234 ms, rows=98765
2024-05-01T12:30:47.889Z DEBUG GET /health 200 1.2ms from 127.0.0.1 and ::1, netmask 255.255.255.0
2024-05-01T12:30:48.000Z INFO request id 7f3c9e2a-4b1d-4e8f-9a6b-2c5d8e1f0a3b`,
    ],
    [
      "order numbers, ISBNs and coordinates",
      `Order #100234567 shipped, tracking 9400100000000000000000. ISBN 978-3-16-148410-0.
Room 415-B. Coordinates 40.7128, -74.0060. Zip 94103-1234. Epoch 1700000000.`,
    ],
    [
      "a Kubernetes manifest",
      `apiVersion: apps/v1
kind: Deployment
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/org/chat-share:1.4.2
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db-credentials
                  key: password`,
    ],
  ];

  it.each(BENIGN)("flags nothing in %s", (_what, content) => {
    expect(flagged(content)).toEqual([]);
  });
});

describe("adversarial input", () => {
  const LENGTH = 100_000;
  const fill = (unit: string): string => unit.repeat(Math.ceil(LENGTH / unit.length)).slice(0, LENGTH);
  const INPUTS: [string, string][] = [
    ["one letter", fill("a")],
    ["one digit", fill("1")],
    ["digits and dashes", fill("1-")],
    ["digits and spaces", fill("1 ")],
    ["digits and dots", fill("1.")],
    ["at signs", fill("@")],
    ["letters and dots", fill("a.")],
    ["letters and at signs", fill("a@")],
    ["an address with an endless domain", "x@" + fill("a.")],
    ["hex and colons", fill("a:")],
    ["plus signs and digits", fill("+1 ")],
    ["a plus sign and endless digit groups", "+" + fill("1 ")],
    ["parenthesised groups", fill("+1(1)")],
    ["upper-case letters and digits", fill("AA00")],
    ["IBAN-like groups", fill("DE89 ")],
    ["JWT prefixes", fill("eyJ")],
    ["JWT-like segments", fill("eyJaaaaaaaaaaaa.")],
    ["repeated labels", fill("password=")],
    ["repeated open quotes", fill("password='")],
    ["an unterminated quoted value", 'password="' + fill("a")],
    ["escaped characters in a quoted value", 'password="' + fill("\\a")],
    ["repeated Bearer", fill("Bearer ")],
    ["repeated PEM headers", fill("-----BEGIN PRIVATE KEY-----\n")],
    ["OpenAI key prefixes", fill("sk-")],
    ["dashes", fill("-")],
    ["mixed punctuation", fill("a1.b2-c3:d4@e5 ")],
    ["many IP addresses", fill("8.8.8.8 ")],
    ["many card numbers", fill("4111 1111 1111 1111 ")],
    ["many email addresses", fill("jane@example.com ")],
  ];

  // The project raises Jest's timeout to 30 s for database tests; these get Jest's default of 5 s back.
  it.each(INPUTS)("returns for a 100,000-character message of %s", (_what, content) => {
    const warnings = findSensitiveData([{ content }]);
    expect(Array.isArray(warnings)).toBe(true);
    expectNoOverlaps(warnings);
  }, 5_000);
});
