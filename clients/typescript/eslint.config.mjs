// The rules the kit promises its users' code can keep: no any, no casts, no
// non-null assertions — in the package and in the example app alike.
import path from "node:path";
import { fileURLToPath } from "node:url";

import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["dist/", "node_modules/", "src/schema.ts", "test/", "test-support/"] },
    {
        files: ["src/**/*.ts", "examples/**/*.ts", "examples/**/*.tsx"],
        extends: [tseslint.configs.base],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: path.dirname(fileURLToPath(import.meta.url)) },
        },
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-non-null-assertion": "error",
            "@typescript-eslint/consistent-type-assertions": ["error", { assertionStyle: "never" }],
            "@typescript-eslint/no-unsafe-argument": "error",
            "@typescript-eslint/no-unsafe-assignment": "error",
            "@typescript-eslint/no-unsafe-member-access": "error",
            "@typescript-eslint/no-unsafe-return": "error",
            "@typescript-eslint/no-unsafe-call": "error",
            "@typescript-eslint/ban-ts-comment": "error",
        },
    },
);
