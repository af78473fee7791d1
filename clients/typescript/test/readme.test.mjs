// The README's example is the code the tests compile: each block marked
// <!-- file: PATH --> must be that file, byte for byte.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

test("the README shows the example files as they are", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/<!-- file: (\S+) -->\n```\w+\n([\s\S]*?)```\n/g)];
    assert.ok(blocks.length >= 3);
    for (const [, file, code] of blocks) assert.equal(code, fs.readFileSync(path.join(root, file), "utf8"), file);
});
