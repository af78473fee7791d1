// Live data: a list loaded once and kept current from the change feed, and
// read-your-writes. Both rest on the service's cursor: every list carries the
// `seq` of the snapshot it was read from, so following /changes?since=<seq>
// gives exactly the events after it — nothing missed, nothing twice.

import { changes, type ChangeFeed, type ConnectionState } from "./changes.js";
import { type ApiEvent, type ApiPaths, type OmniVibeClient, OmniVibeError, type Schemas, isErrorBody, unwrap } from "./client.js";

/** The lists that can be kept live, with their items and query parameters. */
export interface LiveLists {
    "/api/v1/clients": { item: Schemas["Client"]; query: NonNullable<ApiPaths["/api/v1/clients"]["get"]["parameters"]["query"]>; path: undefined };
    "/api/v1/campaigns": { item: Schemas["Campaign"]; query: NonNullable<ApiPaths["/api/v1/campaigns"]["get"]["parameters"]["query"]>; path: undefined };
    "/api/v1/content-schedule": { item: Schemas["Content"]; query: NonNullable<ApiPaths["/api/v1/content-schedule"]["get"]["parameters"]["query"]>; path: undefined };
    "/api/v1/clients/{id}/campaigns": { item: Schemas["Campaign"]; query: NonNullable<ApiPaths["/api/v1/clients/{id}/campaigns"]["get"]["parameters"]["query"]>; path: { id: number } };
    "/api/v1/campaigns/{id}/schedule": { item: Schemas["Content"]; query: undefined; path: { id: number } };
    "/api/v1/content-schedule/{id}/storyboard": { item: Schemas["Block"]; query: undefined; path: { id: number } };
    "/api/v1/content-schedule/{id}/scripts": { item: Schemas["Script"]; query: undefined; path: { id: number } };
}
export type LiveListPath = keyof LiveLists;

export interface LiveListParams<P extends LiveListPath> {
    path?: LiveLists[P]["path"];
    query?: LiveLists[P]["query"];
}

export interface LiveListSnapshot<T> {
    items: readonly T[];
    /** The log position the items show. */
    seq: number;
    /** The feed's connection state. */
    state: ConnectionState;
}

interface Page<T> {
    items: T[];
    seq: number;
}

type MinSeqHeader = { "X-Min-Event-Seq"?: number };
type Loaders = {
    [K in LiveListPath]: (client: OmniVibeClient, params: LiveListParams<K>, header: MinSeqHeader) => Promise<Page<LiveLists[K]["item"]>>;
};

// One typed GET per list.
const loaders: Loaders = {
    "/api/v1/clients": async (c, p, header) => {
        const r = await unwrap(c.api.GET("/api/v1/clients", { params: { query: p.query, header } }));
        return { items: r.clients, seq: r.seq };
    },
    "/api/v1/campaigns": async (c, p, header) => {
        const r = await unwrap(c.api.GET("/api/v1/campaigns", { params: { query: p.query, header } }));
        return { items: r.campaigns, seq: r.seq };
    },
    "/api/v1/clients/{id}/campaigns": async (c, p, header) => {
        const path = required(p.path);
        const r = await unwrap(c.api.GET("/api/v1/clients/{id}/campaigns", { params: { path, query: p.query, header } }));
        return { items: r.campaigns, seq: r.seq };
    },
    "/api/v1/content-schedule": async (c, p, header) => {
        const r = await unwrap(c.api.GET("/api/v1/content-schedule", { params: { query: p.query, header } }));
        return { items: r.contents, seq: r.seq };
    },
    "/api/v1/campaigns/{id}/schedule": async (c, p, header) => {
        const r = await unwrap(c.api.GET("/api/v1/campaigns/{id}/schedule", { params: { path: required(p.path), header } }));
        return { items: r.contents, seq: r.seq };
    },
    "/api/v1/content-schedule/{id}/storyboard": async (c, p, header) => {
        const r = await unwrap(c.api.GET("/api/v1/content-schedule/{id}/storyboard", { params: { path: required(p.path), header } }));
        return { items: r.blocks, seq: r.seq };
    },
    "/api/v1/content-schedule/{id}/scripts": async (c, p, header) => {
        const r = await unwrap(c.api.GET("/api/v1/content-schedule/{id}/scripts", { params: { path: required(p.path), header } }));
        return { items: r.scripts, seq: r.seq };
    },
};

function required(path: { id: number } | undefined): { id: number } {
    if (path === undefined) throw new Error("this list needs params.path.id");
    return path;
}

// The entities of a list and the event type prefixes that change them (or
// their computed counts).
const followed: Record<LiveListPath, readonly `${string}.*`[]> = {
    "/api/v1/clients": ["client.*", "campaign.*"],
    "/api/v1/campaigns": ["campaign.*", "content.*"],
    "/api/v1/clients/{id}/campaigns": ["campaign.*", "content.*"],
    "/api/v1/content-schedule": ["content.*"],
    "/api/v1/campaigns/{id}/schedule": ["content.*"],
    "/api/v1/content-schedule/{id}/storyboard": ["storyboard.*"],
    "/api/v1/content-schedule/{id}/scripts": ["script.*"],
};

/**
 * A list kept current: loaded once, then every event after its `seq` is
 * applied — an entity created, changed or removed where the list can say so
 * from the event alone (the plain lists in id order), otherwise the list is
 * read again at or after that event (X-Min-Event-Seq). Either way the items
 * always equal a GET at `seq`.
 */
export class LiveList<P extends LiveListPath> {
    #items: LiveLists[P]["item"][] = [];
    #seq = 0;
    #listeners = new Set<(snapshot: LiveListSnapshot<LiveLists[P]["item"]>) => void>();
    #feed: ChangeFeed | undefined;
    #pending: ApiEvent[] = [];
    #reloading = false;
    #closed = false;
    readonly ready: Promise<void>;

    constructor(
        readonly client: OmniVibeClient,
        readonly path: P,
        readonly params: LiveListParams<P> = {},
    ) {
        this.ready = this.#start();
    }

    get items(): readonly LiveLists[P]["item"][] {
        return this.#items;
    }
    get seq(): number {
        return this.#seq;
    }
    get state(): ConnectionState {
        return this.#feed?.state ?? "connecting";
    }
    snapshot(): LiveListSnapshot<LiveLists[P]["item"]> {
        return { items: this.#items, seq: this.#seq, state: this.state };
    }

    /** Called with every new snapshot; returns a function that stops it. */
    subscribe(listener: (snapshot: LiveListSnapshot<LiveLists[P]["item"]>) => void): () => void {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
    }

    /**
     * Resolves once the list has applied the event `seq` (an event of a type
     * it follows) or a later one. To see a write of any kind, use
     * `refresh(seq)`.
     */
    async reached(seq: number): Promise<void> {
        await this.ready;
        if (this.#seq >= seq) return;
        await new Promise<void>((resolve) => {
            const stop = this.subscribe((s) => {
                if (s.seq >= seq) {
                    stop();
                    resolve();
                }
            });
        });
    }

    /** Reads the list again at or after `seq` (X-Min-Event-Seq): read-your-writes for a list. */
    async refresh(seq: number): Promise<void> {
        await this.ready;
        if (this.#seq >= seq) return;
        await this.#reload(seq);
    }

    close(): void {
        this.#closed = true;
        this.#feed?.close();
    }

    async #start(): Promise<void> {
        const page = await this.#load(undefined);
        this.#items = page.items;
        this.#seq = page.seq;
        this.#emit();
        if (this.#closed) return;
        const campaignId = this.path === "/api/v1/campaigns/{id}/schedule" ? this.params.path?.id : undefined;
        this.#feed = changes(this.client, { since: page.seq, types: followed[this.path], campaignId });
        this.#feed.onEvent((event) => this.#onEvent(event));
        this.#feed.onState(() => this.#emit());
    }

    #onEvent(event: ApiEvent): void {
        if (event.seq <= this.#seq) return;  // the list already shows it
        if (this.#reloading) {
            this.#pending.push(event);
            return;
        }
        if (this.#apply(event)) {
            this.#seq = event.seq;
            this.#emit();
            return;
        }
        void this.#reload(event.seq);
    }

    // Reads the list again at or after `seq`; events that arrive meanwhile are
    // applied afterwards if the new page does not show them yet.
    async #reload(seq: number): Promise<void> {
        this.#reloading = true;
        try {
            const page = await this.#load(seq);
            this.#items = page.items;
            this.#seq = page.seq;
        } finally {
            this.#reloading = false;
        }
        const pending = this.#pending.splice(0);
        this.#emit();
        for (const event of pending) this.#onEvent(event);
    }

    // Applies an event from its data alone; false when the list cannot tell.
    #apply(event: ApiEvent): boolean {
        const q = this.params.query;
        const plain =
            q === undefined ||
            Object.entries(q).every(([key, value]) => value === undefined || key === "page_size" || (key === "sort" && value === "id") || (key === "page" && value === 1));
        if (!plain) return false;
        const items: Record<string, unknown>[] = this.#items;
        const limit = q !== undefined && "page_size" in q && typeof q.page_size === "number" ? q.page_size : 20;
        switch (this.path) {
            case "/api/v1/clients":
                if (event.type === "client.created") return insert(items, entityOf(event, { campaign_count: 0 }), limit);
                if (event.type === "client.updated") return update(items, event);
                if (event.type === "client.deleted") return remove(items, event.entity_id, limit);
                if (event.type === "campaign.created") return count(items, event.data.client_id, "campaign_count", 1);
                if (event.type === "campaign.deleted") return count(items, event.data.client_id, "campaign_count", -1);
                if (event.type === "campaign.updated") return !("client_id" in event.data);  // a move changes two counts
                return true;  // other campaign events change no client
            case "/api/v1/campaigns":
                if (event.type === "campaign.created") return insert(items, entityOf(event, { content_count: 0, ...noResources }), limit);
                if (event.type === "campaign.updated") return update(items, event);
                if (event.type === "campaign.deleted") return remove(items, event.entity_id, limit);
                if (event.type === "content.created") return count(items, event.data.campaign_id, "content_count", 1);
                if (event.type === "content.deleted") return count(items, event.data.campaign_id, "content_count", -1);
                if (event.type === "content.updated") return !("campaign_id" in event.data);
                return false;  // resources change the campaign's paths: read again
            case "/api/v1/content-schedule":
                if (event.type === "content.created") return insert(items, entityOf(event, {}), limit);
                if (event.type === "content.updated") return update(items, event);
                if (event.type === "content.deleted") return remove(items, event.entity_id, limit);
                return false;
            default:
                return false;
        }
    }

    async #load(minSeq: number | undefined): Promise<Page<LiveLists[P]["item"]>> {
        const header: MinSeqHeader = minSeq === undefined ? {} : { "X-Min-Event-Seq": minSeq };
        for (let attempt = 0; ; ++attempt) {
            try {
                return await this.#get(header);
            } catch (error) {
                // 503: the instance has not reached the seq yet; ask again.
                if (!(error instanceof OmniVibeError) || error.status !== 503 || attempt >= 5) throw error;
            }
        }
    }

    #get(header: MinSeqHeader): Promise<Page<LiveLists[P]["item"]>> {
        const load: Loaders[P] = loaders[this.path];
        return load(this.client, this.params, header);
    }

    #emit(): void {
        const snapshot = this.snapshot();
        for (const listener of this.#listeners) listener(snapshot);
    }
}

/** Loads the list at `path` and keeps it current. */
export function liveList<P extends LiveListPath>(client: OmniVibeClient, path: P, params: LiveListParams<P> = {}): LiveList<P> {
    return new LiveList(client, path, params);
}

/**
 * Read-your-writes: resolves once the service shows `seq` (by default the
 * X-Event-Seq of this client's last write) — at once if `feed` has delivered
 * it, else by a GET with X-Min-Event-Seq, repeated while the server answers
 * that it has not reached it yet (503).
 */
export async function awaitSeq(client: OmniVibeClient, seq: number = client.lastWriteSeq, feed?: ChangeFeed): Promise<void> {
    if (feed?.lastSeq !== undefined && feed.lastSeq >= seq) return;
    for (;;) {
        const { error, response } = await client.api.GET("/api/v1/clients", {
            params: { query: { page_size: 1 }, header: { "X-Min-Event-Seq": seq } },
        });
        if (response.ok) return;
        if (response.status !== 503) {
            if (isErrorBody(error)) throw new OmniVibeError(response.status, error);
            throw new Error(`HTTP ${response.status}`);
        }
        if (feed?.lastSeq !== undefined && feed.lastSeq >= seq) return;
    }
}

// ---- applying events ---------------------------------------------------------------

const noResources = { intro_video_path: null, intro_duration: null, outro_video_path: null, outro_duration: null, bgm_path: null };

function entityOf(event: ApiEvent, computed: Record<string, unknown>): Record<string, unknown> {
    return { id: event.entity_id, ...event.data, version: event.version, created_at: event.at, updated_at: event.at, ...computed };
}

function insert(items: Record<string, unknown>[], entity: Record<string, unknown>, limit: number): boolean {
    if (items.length >= limit) return false;  // it may belong to a later page
    const id = entity.id;
    if (typeof id !== "number") return false;
    const at = items.findIndex((i) => typeof i.id === "number" && i.id > id);
    if (at < 0) items.push(entity);
    else items.splice(at, 0, entity);
    return true;
}

function update(items: Record<string, unknown>[], event: ApiEvent): boolean {
    const at = items.findIndex((i) => i.id === event.entity_id);
    if (at < 0) return false;
    items[at] = { ...items[at], ...event.data, version: event.version, updated_at: event.at };
    return true;
}

function remove(items: Record<string, unknown>[], id: number, limit: number): boolean {
    const at = items.findIndex((i) => i.id === id);
    if (at < 0) return true;  // not in this list
    if (items.length >= limit) return false;  // a full page: the next item moves up
    items.splice(at, 1);
    return true;
}

function count(items: Record<string, unknown>[], id: number, field: string, delta: number): boolean {
    const at = items.findIndex((i) => i.id === id);
    if (at < 0) return true;  // not shown here
    const current = items[at]?.[field];
    if (typeof current !== "number") return false;
    items[at] = { ...items[at], [field]: current + delta };
    return true;
}
