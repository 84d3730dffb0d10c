// Sharing is built on conversations and users: share/ may import them, never the reverse (CONVENTIONS.md).
import fs from "node:fs";
import path from "node:path";

const SRC = path.join(__dirname, "..", "src");

function importsOf(folder: string): { file: string; from: string }[] {
  const found: { file: string; from: string }[] = [];
  for (const name of fs.readdirSync(path.join(SRC, folder))) {
    const text = fs.readFileSync(path.join(SRC, folder, name), "utf8");
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) found.push({ file: `${folder}/${name}`, from: match[1] });
  }
  return found;
}

describe("module boundaries", () => {
  it.each(["conversation", "user"])("nothing in %s/ imports from share/ or the share page", (folder) => {
    const upward = importsOf(folder).filter(({ from }) => /(^|\/)(share|share-page)(\/|$)/.test(from));
    expect(upward).toEqual([]);
  });

  it("the check sees share/'s own imports of conversation/, so it would see the reverse", () => {
    expect(importsOf("share").some(({ from }) => from.startsWith("../conversation/"))).toBe(true);
  });
});
