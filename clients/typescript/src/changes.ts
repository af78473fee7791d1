// The change feed (GET /api/v1/changes, Server-Sent Events) read with fetch,
// so the token travels in the Authorization header (or, where a runtime
// cannot stream a fetch body, as ?access_token=). Every event is delivered
// once, in seq order: the reader remembers the last seq it delivered and
// reconnects with Last-Event-ID after an error, the end of a stream, an
// `event: reset` from the server (it fell too far behind) or a silence
// longer than the heartbeat allows (a dead connection).

import { type ApiEvent, type EventOf, type EventType, type OmniVibeClient, resolveToken } from "./client.js";

export type ConnectionState = "connecting" | "live" | "retrying" | "closed";

export interface ChangesOptions {
    /** Start after this seq (0: from the beginning). Without it: only events after the current head. */
    since?: number;
    /** Event types, exact ("content.created") or prefixes ("campaign.*"). */
    types?: readonly (EventType | `${string}.*`)[];
    /** Only this campaign and everything under it. */
    campaignId?: number;
    /** Only this stream, e.g. "campaign-3". */
    stream?: string;
    /**
     * How long a silent connection is trusted, in ms; past it the reader
     * reconnects. The server sends a heartbeat every 15 s by default. Default 45000.
     */
    heartbeatTimeoutMs?: number;
    /** Send the token as ?access_token= instead of the Authorization header. */
    tokenInQuery?: boolean;
    /** Stops the feed. */
    signal?: AbortSignal;
}

type Listener<T> = (value: T) => void;

/** One event type's listener gets that type's events. */
export type TypedListeners = { [T in EventType]?: Listener<EventOf<T>> };

/** A running change feed. */
export class ChangeFeed implements AsyncIterable<ApiEvent> {
    #state: ConnectionState = "connecting";
    #lastSeq: number | undefined;
    #head: number | undefined;
    #listeners = new Set<Listener<ApiEvent>>();
    #stateListeners = new Set<Listener<ConnectionState>>();
    #errorListeners = new Set<Listener<unknown>>();
    #abort = new AbortController();
    #retryMs = 3000;
    #failures = 0;
    readonly #client: OmniVibeClient;
    readonly #options: ChangesOptions;
    readonly done: Promise<void>;

    constructor(client: OmniVibeClient, options: ChangesOptions = {}) {
        this.#client = client;
        this.#options = options;
        this.#lastSeq = options.since;
        options.signal?.addEventListener("abort", () => this.close(), { once: true });
        this.done = this.#run();
    }

    /** connecting, live, retrying; closed once close() was called or the server refused the feed. */
    get state(): ConnectionState {
        return this.#state;
    }
    /** The seq of the last event delivered (or the start position the server gave). */
    get lastSeq(): number | undefined {
        return this.#lastSeq;
    }
    /** The log head the server last reported (hello, heartbeat) or delivered. */
    get head(): number | undefined {
        return this.#head;
    }

    /** Every event; returns a function that removes the listener. */
    onEvent(listener: Listener<ApiEvent>): () => void {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
    }
    /** Typed listeners per event type: `{ "campaign.updated": (e) => e.data.status }`. */
    on(listeners: TypedListeners): () => void {
        return this.onEvent((event) => dispatch(listeners, event));
    }
    onState(listener: Listener<ConnectionState>): () => void {
        this.#stateListeners.add(listener);
        return () => this.#stateListeners.delete(listener);
    }
    /** A refusal (401, 403, 422) that ends the feed, or a connection error before a retry. */
    onError(listener: Listener<unknown>): () => void {
        this.#errorListeners.add(listener);
        return () => this.#errorListeners.delete(listener);
    }

    /** Resolves once the feed has delivered (or started after) `seq`. */
    reached(seq: number): Promise<void> {
        if (this.#lastSeq !== undefined && this.#lastSeq >= seq) return Promise.resolve();
        return new Promise((resolve, reject) => {
            const check = (): void => {
                if (this.#lastSeq !== undefined && this.#lastSeq >= seq) {
                    stop();
                    resolve();
                }
            };
            const closed = (state: ConnectionState): void => {
                if (state === "closed") {
                    stop();
                    reject(new Error("the change feed was closed"));
                } else {
                    check();
                }
            };
            const offEvent = this.onEvent(check);
            const offState = this.onState(closed);
            const stop = (): void => {
                offEvent();
                offState();
            };
        });
    }

    close(): void {
        if (this.#state === "closed") return;
        this.#abort.abort();
        this.#setState("closed");
    }

    async *[Symbol.asyncIterator](): AsyncIterator<ApiEvent> {
        const queue: ApiEvent[] = [];
        let wake: (() => void) | undefined;
        const offEvent = this.onEvent((event) => {
            queue.push(event);
            wake?.();
        });
        const offState = this.onState(() => wake?.());
        try {
            for (;;) {
                const next = queue.shift();
                if (next !== undefined) {
                    yield next;
                    continue;
                }
                if (this.#state === "closed") return;
                await new Promise<void>((resolve) => {
                    wake = resolve;
                });
                wake = undefined;
            }
        } finally {
            offEvent();
            offState();
        }
    }

    #setState(state: ConnectionState): void {
        if (this.#state === state) return;
        this.#state = state;
        for (const listener of this.#stateListeners) listener(state);
    }

    #emitError(error: unknown): void {
        for (const listener of this.#errorListeners) listener(error);
    }

    async #run(): Promise<void> {
        while (!this.#abort.signal.aborted) {
            let refused = false;
            try {
                refused = await this.#connectOnce();
            } catch (error) {
                if (this.#abort.signal.aborted) break;
                this.#emitError(error);
            }
            if (refused) {
                this.close();
                break;
            }
            if (this.#abort.signal.aborted) break;
            this.#setState("retrying");
            // A reset or a stream that ended after delivering reconnects at once;
            // repeated failures back off up to the server's retry interval.
            const delay = this.#failures === 0 ? 0 : Math.min(this.#retryMs, 100 * 2 ** (this.#failures - 1));
            await abortableSleep(delay, this.#abort.signal);
            this.#setState("connecting");
        }
    }

    // One connection: true when the server refused the feed for good.
    async #connectOnce(): Promise<boolean> {
        const connection = new AbortController();
        const onAbort = (): void => connection.abort();
        this.#abort.signal.addEventListener("abort", onAbort, { once: true });
        const timeoutMs = this.#options.heartbeatTimeoutMs ?? 45000;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const arm = (): void => {
            if (timer !== undefined) clearTimeout(timer);
            timer = setTimeout(() => connection.abort(new Error("no heartbeat: the connection is dead")), timeoutMs);
        };
        try {
            arm();
            const response = await this.#client.fetch(await this.#request(), { signal: connection.signal });
            if (!response.ok || response.body === null) {
                const body: unknown = await response.json().catch(() => undefined);
                this.#emitError(body ?? new Error(`HTTP ${response.status}`));
                ++this.#failures;
                return response.status >= 400 && response.status < 500;
            }
            let delivered = false;
            for await (const frame of readFrames(response.body)) {
                arm();
                if (frame.retry !== undefined) this.#retryMs = frame.retry;
                if (frame.event === "hello") {
                    this.#setState("live");
                    this.#failures = 0;
                    if (frame.id !== undefined && this.#lastSeq === undefined) this.#lastSeq = Number(frame.id);
                    this.#noteHead(frame.data);
                } else if (frame.event === "heartbeat") {
                    this.#noteHead(frame.data);
                } else if (frame.event === "reset") {
                    break;
                } else if (frame.data !== "") {
                    const event = parseEvent(frame.data);
                    if (event === undefined || (this.#lastSeq !== undefined && event.seq <= this.#lastSeq)) continue;
                    this.#lastSeq = event.seq;
                    if (this.#head === undefined || event.seq > this.#head) this.#head = event.seq;
                    delivered = true;
                    for (const listener of this.#listeners) listener(event);
                }
            }
            if (!delivered) ++this.#failures;
            return false;
        } catch (error) {
            ++this.#failures;
            throw error;
        } finally {
            if (timer !== undefined) clearTimeout(timer);
            this.#abort.signal.removeEventListener("abort", onAbort);
            connection.abort();
        }
    }

    #noteHead(data: string): void {
        try {
            const parsed: unknown = JSON.parse(data);
            if (typeof parsed === "object" && parsed !== null && "head" in parsed && typeof parsed.head === "number") this.#head = parsed.head;
        } catch {
            // a frame without a head says nothing about it
        }
    }

    async #request(): Promise<Request> {
        const url = new URL("/api/v1/changes", this.#client.baseUrl);
        const o = this.#options;
        if (o.types !== undefined && o.types.length > 0) url.searchParams.set("types", o.types.join(","));
        if (o.campaignId !== undefined) url.searchParams.set("campaign_id", String(o.campaignId));
        if (o.stream !== undefined) url.searchParams.set("stream", o.stream);
        const headers = new Headers({ Accept: "text/event-stream" });
        if (this.#lastSeq !== undefined) headers.set("Last-Event-ID", String(this.#lastSeq));
        const token = await resolveToken(this.#client.token);
        if (token !== undefined) {
            if (o.tokenInQuery === true) url.searchParams.set("access_token", token);
            else headers.set("Authorization", `Bearer ${token}`);
        }
        return new Request(url, { headers, cache: "no-store" });
    }
}

/** Opens the change feed. */
export function changes(client: OmniVibeClient, options: ChangesOptions = {}): ChangeFeed {
    return new ChangeFeed(client, options);
}

function dispatch(listeners: TypedListeners, event: ApiEvent): void {
    // Each listener is looked up by the event's own type, so the pairing holds.
    const call = <T extends EventType>(type: T, e: EventOf<T>): void => listeners[type]?.(e);
    call(event.type, event);
}

const eventTypes: ReadonlySet<string> = new Set<EventType>([
    "client.created", "client.updated", "client.deleted",
    "campaign.created", "campaign.updated", "campaign.deleted", "campaign.resource_attached", "campaign.resource_detached",
    "content.created", "content.updated", "content.deleted",
    "storyboard.block_added", "storyboard.block_updated", "storyboard.block_removed", "storyboard.blocks_reordered",
    "script.generated", "script.status_changed", "script.deleted",
]);

function isEvent(value: unknown): value is ApiEvent {
    return (
        typeof value === "object" &&
        value !== null &&
        "seq" in value &&
        typeof value.seq === "number" &&
        "type" in value &&
        typeof value.type === "string" &&
        eventTypes.has(value.type) &&
        "data" in value &&
        typeof value.data === "object"
    );
}

function parseEvent(data: string): ApiEvent | undefined {
    try {
        const parsed: unknown = JSON.parse(data);
        return isEvent(parsed) ? parsed : undefined;
    } catch {
        return undefined;
    }
}

interface Frame {
    id?: string;
    event: string;
    data: string;
    retry?: number;
}

/** The frames of an event stream (the WHATWG parsing rules: fields, comments, blank-line dispatch). */
export async function* readFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<Frame> {
    const decoder = new TextDecoder();
    let buffer = "";
    let frame: Frame = { event: "", data: "" };
    let dataLines: string[] = [];
    const reader = body.getReader();
    try {
        for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            buffer += decoder.decode(value, { stream: true });
            let newline: number;
            while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
                const line = buffer.slice(0, newline);
                buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
                if (line === "") {
                    if (dataLines.length > 0 || frame.event !== "" || frame.retry !== undefined) {
                        frame.data = dataLines.join("\n");
                        if (frame.event === "") frame.event = "message";
                        yield frame;
                    }
                    frame = { event: "", data: "" };
                    dataLines = [];
                    continue;
                }
                if (line.startsWith(":")) continue;
                const colon = line.indexOf(":");
                const field = colon < 0 ? line : line.slice(0, colon);
                let value = colon < 0 ? "" : line.slice(colon + 1);
                if (value.startsWith(" ")) value = value.slice(1);
                if (field === "data") dataLines.push(value);
                else if (field === "event") frame.event = value;
                else if (field === "id") frame.id = value;
                else if (field === "retry" && /^\d+$/.test(value)) frame.retry = Number(value);
            }
        }
    } finally {
        reader.releaseLock();
    }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        if (ms <= 0 || signal.aborted) return resolve();
        const timer = setTimeout(done, ms);
        function done(): void {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
        }
        signal.addEventListener("abort", done, { once: true });
    });
}
