// The package against the real server (see server.mjs): the typed client,
// the change feed, live lists and read-your-writes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { OmniVibeError, awaitSeq, changes, createOmniVibeClient, ifMatch, liveList, unwrap } from "../dist/index.js";
import { Server } from "../test-support/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

describe("the typed client", { timeout: 60000 }, () => {
    let server;
    let client;
    before(async () => {
        server = await Server.start();
        client = createOmniVibeClient({ baseUrl: server.url });
    });
    after(() => server.dispose());

    test("creates, reads, changes and deletes through the typed paths", async () => {
        const acme = await unwrap(client.api.POST("/api/v1/clients", { body: { name: "Acme" } }));
        assert.equal(acme.name, "Acme");
        assert.equal(acme.version, 1);
        assert.equal(acme.campaign_count, 0);
        // Defaults are optional in a create body and come back filled in.
        const campaign = await unwrap(client.api.POST("/api/v1/campaigns", { body: { client_id: acme.id, name: "Spring" } }));
        assert.equal(campaign.status, "draft");
        assert.equal(campaign.bgm_volume, 0.3);
        assert.equal(campaign.auto_deploy, false);
        // A PATCH sends only what changes.
        const active = await unwrap(
            client.api.PATCH("/api/v1/campaigns/{id}", {
                params: { path: { id: campaign.id }, header: ifMatch(campaign) },
                body: { status: "active" },
            }),
        );
        assert.equal(active.status, "active");
        assert.equal(active.version, 2);
        // Platforms in any capitalisation; stored as written in the catalogue.
        const content = await unwrap(
            client.api.POST("/api/v1/content-schedule", { body: { campaign_id: campaign.id, topic: "Launch", platform: "youtube" } }),
        );
        assert.equal(content.content.platform, "Youtube");
        const page = await unwrap(client.api.GET("/api/v1/content-schedule", { params: { query: { campaign_id: campaign.id, platform: "YOUTUBE" } } }));
        assert.deepEqual(page.contents.map((c) => c.id), [content.content.id]);
        assert.ok(page.seq >= 4);
        const gone = await unwrap(
            client.api.DELETE("/api/v1/content-schedule/{id}", { params: { path: { id: content.content.id }, header: ifMatch(content.content) } }),
        );
        assert.deepEqual(gone, { success: true, id: content.content.id });
        const { error, response } = await client.api.GET("/api/v1/content-schedule/{id}", { params: { path: { id: content.content.id } } });
        assert.equal(response.status, 404);
        assert.equal(error?.code, "not_found");
    });

    test("an If-Match on a stale version is a typed 412 with the current version", async () => {
        const c = await unwrap(client.api.POST("/api/v1/clients", { body: { name: "Stale Ltd" } }));
        await unwrap(client.api.PATCH("/api/v1/clients/{id}", { params: { path: { id: c.id }, header: ifMatch(c) }, body: { notes: "first" } }));
        const { error, response } = await client.api.PATCH("/api/v1/clients/{id}", {
            params: { path: { id: c.id }, header: ifMatch(c) },
            body: { notes: "second" },
        });
        assert.equal(response.status, 412);
        assert.equal(error?.code, "version_mismatch");
        assert.equal(error?.current_version, 2);
        await assert.rejects(
            unwrap(client.api.PATCH("/api/v1/clients/{id}", { params: { path: { id: c.id }, header: ifMatch(1) }, body: { notes: "third" } })),
            (e) => e instanceof OmniVibeError && e.status === 412 && e.code === "version_mismatch",
        );
    });

    test("a write whose answer was lost is retried with the same Idempotency-Key and made once", async () => {
        let dropped = 0;
        const keys = [];
        const flaky = createOmniVibeClient({
            baseUrl: server.url,
            async fetch(request) {
                keys.push(request.headers.get("Idempotency-Key"));
                const response = await fetch(request);
                if (dropped++ === 0) throw new TypeError("fetch failed: the connection dropped");
                return response;
            },
        });
        const { data, response } = await flaky.api.POST("/api/v1/clients", { body: { name: "Once Only" } });
        assert.equal(response.status, 201);
        assert.equal(response.headers.get("Idempotent-Replayed"), "true");
        assert.equal(keys.length, 2);
        assert.ok(keys[0] && keys[0] === keys[1]);
        const all = await unwrap(client.api.GET("/api/v1/clients", { params: { query: { q: "Once Only" } } }));
        assert.equal(all.total, 1);
        assert.equal(all.clients[0].id, data?.id);
    });

    test("awaitSeq resolves once the server shows the client's own write", async () => {
        const writer = createOmniVibeClient({ baseUrl: server.url });
        const c = await unwrap(writer.api.POST("/api/v1/clients", { body: { name: "Read Your Writes" } }));
        assert.ok(writer.lastWriteSeq > 0);
        await awaitSeq(writer);
        const { response } = await writer.api.GET("/api/v1/clients/{id}", {
            params: { path: { id: c.id }, header: { "X-Min-Event-Seq": writer.lastWriteSeq } },
        });
        assert.equal(response.status, 200);
        assert.ok(Number(response.headers.get("X-Event-Seq")) >= writer.lastWriteSeq);
        // With a feed that already delivered it, no request is needed.
        const feed = changes(writer, { since: writer.lastWriteSeq - 1 });
        await feed.reached(writer.lastWriteSeq);
        await awaitSeq(writer, writer.lastWriteSeq, feed);
        feed.close();
    });
});

describe("changes()", { timeout: 60000 }, () => {
    test("resumes across a server restart with every seq once, in order", async () => {
        let server = await Server.start();
        const dir = server.dir;
        const port = server.port;
        try {
            const client = createOmniVibeClient({ baseUrl: server.url });
            for (const name of ["A", "B", "C"]) await unwrap(client.api.POST("/api/v1/clients", { body: { name } }));
            const feed = changes(client, { since: 0 });
            const seen = [];
            const states = [];
            feed.on({ "client.created": (e) => seen.push(`${e.seq}:${e.data.name}`) });
            feed.onState((s) => states.push(s));
            await feed.reached(3);
            await server.stop();
            server = await Server.start({ dir, port });
            for (const name of ["D", "E", "F"]) await unwrap(client.api.POST("/api/v1/clients", { body: { name } }));
            await feed.reached(6);
            feed.close();
            assert.deepEqual(seen, ["1:A", "2:B", "3:C", "4:D", "5:E", "6:F"]);
            assert.ok(states.includes("retrying"), states.join(","));
            assert.equal(states.at(-1), "closed");
        } finally {
            await server.stop();
            (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
        }
    });

    // A subscriber whose connection stalls (a proxy stops reading for it) is
    // reset by the server once its buffer overflows; the reader resumes from
    // the last seq it delivered and misses nothing.
    test("resumes after the server reset a stalled stream, every seq once", async () => {
        const server = await Server.start({ args: ["--sse-max-lag-kb", "64"] });
        let stalled;
        const proxy = net.createServer((downstream) => {
            const upstream = net.connect(server.port, "127.0.0.1");
            downstream.pipe(upstream);
            upstream.pipe(downstream);
            if (stalled === undefined) {
                stalled = upstream;
                upstream.once("data", () => upstream.pause());  // reads the hello, then nothing
            }
            const end = () => {
                upstream.destroy();
                downstream.destroy();
            };
            upstream.on("error", end).on("close", end);
            downstream.on("error", end).on("close", end);
        });
        await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
        try {
            const writer = createOmniVibeClient({ baseUrl: server.url });
            await unwrap(writer.api.POST("/api/v1/clients", { body: { name: "first" } }));
            const reader = createOmniVibeClient({ baseUrl: `http://127.0.0.1:${proxy.address().port}` });
            const feed = changes(reader, { since: 0 });
            const seqs = [];
            const states = [];
            feed.onEvent((e) => seqs.push(e.seq));
            feed.onState((state) => states.push(state));
            await feed.reached(1);
            const resets = async () => {
                const text = await (await fetch(`${server.url}/metrics`)).text();
                return Number(/^omnivibe_feed_resets_total (\d+)/m.exec(text)?.[1] ?? 0);
            };
            const notes = "n".repeat(4000);
            let written = 1;
            // Fifty writes at a time, so the stalled stream's buffers fill
            // quickly even on a loaded machine.
            while ((await resets()) === 0 && written < 20000) {
                await Promise.all(Array.from({ length: 50 }, (_, i) =>
                    unwrap(writer.api.POST("/api/v1/clients", { body: { name: `big-${written + i}`, notes } }))));
                written += 50;
            }
            assert.equal(await resets(), 1);
            stalled.resume();
            for (let i = 0; i < 5; ++i) await unwrap(writer.api.POST("/api/v1/clients", { body: { name: `after-${i}` } }));
            const last = written + 5;
            await feed.reached(last);
            feed.close();
            assert.deepEqual(seqs, Array.from({ length: last }, (_, i) => i + 1));
            assert.ok(states.includes("retrying"), states.join(","));
        } finally {
            proxy.close();
            await server.dispose();
        }
    });

    // The server sends `event: reset` when a subscriber falls too far behind
    // and then ends the stream; a scripted stream plays that exactly.
    test("reconnects after a reset from the last seq and delivers each seq once", async () => {
        const envelope = (seq) =>
            JSON.stringify({ seq, stream: `client-${seq}`, version: 1, type: "client.created", at: "2026-01-01T00:00:00.000Z", actor: "anonymous", entity: "client", entity_id: seq, campaign_id: null, data: { name: `c${seq}`, contact_email: null, industry: null, notes: null } });
        const frame = (seq) => `id: ${seq}\nevent: client.created\ndata: ${envelope(seq)}\n\n`;
        const lastIds = [];
        const fake = http.createServer((req, res) => {
            lastIds.push(req.headers["last-event-id"] ?? null);
            res.writeHead(200, { "Content-Type": "text/event-stream" });
            if (lastIds.length === 1) {
                res.end(`retry: 3000\n\nid: 0\nevent: hello\ndata: {"head":4}\n\n${frame(1)}${frame(2)}event: reset\ndata: {}\n\n`);
            } else {
                // The resumed stream repeats seq 2: the reader must not deliver it twice.
                res.write(`retry: 3000\n\nid: 2\nevent: hello\ndata: {"head":4}\n\n${frame(2)}${frame(3)}${frame(4)}`);
            }
        });
        await new Promise((resolve) => fake.listen(0, "127.0.0.1", resolve));
        try {
            const client = createOmniVibeClient({ baseUrl: `http://127.0.0.1:${fake.address().port}` });
            const feed = changes(client, { since: 0 });
            const seqs = [];
            feed.onEvent((e) => seqs.push(e.seq));
            await feed.reached(4);
            feed.close();
            assert.deepEqual(seqs, [1, 2, 3, 4]);
            assert.deepEqual(lastIds, ["0", "2"]);
        } finally {
            fake.closeAllConnections();
            fake.close();
        }
    });

    test("a connection silent past the heartbeat is given up and reopened", async () => {
        let connections = 0;
        const fake = http.createServer((req, res) => {
            ++connections;
            res.writeHead(200, { "Content-Type": "text/event-stream" });
            res.write(`id: 7\nevent: hello\ndata: {"head":7}\n\n`);  // then nothing, not even heartbeats
        });
        await new Promise((resolve) => fake.listen(0, "127.0.0.1", resolve));
        try {
            const client = createOmniVibeClient({ baseUrl: `http://127.0.0.1:${fake.address().port}` });
            const feed = changes(client, { heartbeatTimeoutMs: 200 });
            await new Promise((resolve) => {
                const stop = feed.onState((s) => {
                    if (s === "retrying") {
                        stop();
                        resolve();
                    }
                });
            });
            await new Promise((resolve) => feed.onState((s) => s === "live" && resolve()));
            feed.close();
            assert.ok(connections >= 2);
            assert.equal(feed.lastSeq, 7);
        } finally {
            fake.closeAllConnections();
            fake.close();
        }
    });
});

describe("liveList()", () => {
    test("stays equal to a fresh GET while another process writes", { timeout: 60000 }, async () => {
        const server = await Server.start();
        try {
            const client = createOmniVibeClient({ baseUrl: server.url });
            const acme = await unwrap(client.api.POST("/api/v1/clients", { body: { name: "Acme" } }));
            const lists = [
                { list: liveList(client, "/api/v1/campaigns", { query: { page_size: 100 } }), follows: ["campaign.", "content."] },
                { list: liveList(client, "/api/v1/clients"), follows: ["client.", "campaign."] },
                { list: liveList(client, "/api/v1/content-schedule", { query: { platform: "TikTok", page_size: 100 } }), follows: ["content."] },
            ];
            await Promise.all(lists.map(({ list }) => list.ready));
            // Everything the writer does, to know the last event each list follows.
            const all = changes(client, { since: lists[0].list.seq });
            const events = [];
            all.onEvent((e) => events.push(e));
            const { stdout } = await promisify(execFile)(process.execPath, [path.join(here, "../test-support/writer-process.mjs"), server.url, String(acme.id), "12"]);
            const last = Number(stdout.trim());
            assert.ok(last > 30);
            await all.reached(last);
            all.close();
            for (const { list, follows } of lists) {
                const followed = events.filter((e) => follows.some((prefix) => e.type.startsWith(prefix)));
                await list.reached(followed.at(-1).seq);
            }
            const header = { "X-Min-Event-Seq": last };
            const fresh = await unwrap(client.api.GET("/api/v1/campaigns", { params: { query: { page_size: 100 }, header } }));
            assert.deepEqual(lists[0].list.items, fresh.campaigns);
            assert.equal(fresh.campaigns.length, 9);
            const freshClients = await unwrap(client.api.GET("/api/v1/clients", { params: { header } }));
            assert.deepEqual(lists[1].list.items, freshClients.clients);
            assert.equal(freshClients.clients[0].campaign_count, 9);
            const freshContent = await unwrap(client.api.GET("/api/v1/content-schedule", { params: { query: { platform: "TikTok", page_size: 100 }, header } }));
            assert.deepEqual(lists[2].list.items, freshContent.contents);
            assert.ok(freshContent.contents.length > 0);
            for (const { list } of lists) list.close();
        } finally {
            await server.dispose();
        }
    });
});
