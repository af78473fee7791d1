// The real server for the tests: the omnivibe-server binary (OMNIVIBE_SERVER,
// else build/bin/omnivibe-server of this repository) on port 0 with a
// temporary database, its port read from its "listening on" line.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const serverBinary = process.env.OMNIVIBE_SERVER ?? path.resolve(here, "../../../build/bin/omnivibe-server");

export class Server {
    /** Starts a server on a fresh temporary database (or `dir`'s, to restart on the same files). */
    static async start({ dir, port = 0, args = [] } = {}) {
        const folder = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "omnivibe-client-"));
        const child = spawn(
            serverBinary,
            ["--port", String(port), "--db", path.join(folder, "x.db"), "--uploads", path.join(folder, "u"), "--log-level", "warn", ...args],
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        let output = "";
        const url = await new Promise((resolve, reject) => {
            const onData = (chunk) => {
                output += chunk;
                const m = /listening on (http:\/\/[^\s]+)/.exec(output);
                if (m) resolve(new URL(m[1]).origin);
            };
            child.stdout.on("data", onData);
            child.stderr.on("data", (chunk) => (output += chunk));
            child.on("exit", (code) => reject(new Error(`omnivibe-server exited (${code}) before listening:\n${output}`)));
        });
        return new Server(child, folder, url, dir === undefined);
    }

    constructor(child, dir, url, owned) {
        this.child = child;
        this.dir = dir;
        this.url = url;
        this.port = Number(new URL(url).port);
        this.owned = owned;
    }

    /** SIGTERM and wait: the server ends its feeds and exits. */
    async stop() {
        if (this.child.exitCode !== null) return;
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill("SIGTERM");
        await exited;
    }

    /** Stops and removes the files. */
    async dispose() {
        await this.stop();
        if (this.owned) fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
