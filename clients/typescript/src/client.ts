// The typed REST client: openapi-fetch over the generated description, with
// the service's conventions built in — a bearer token, If-Match from an
// entity's version, an Idempotency-Key on every write so that retries of a
// write that may have landed are safe, typed error bodies, and the
// X-Event-Seq of the client's own writes remembered for read-your-writes.

import createFetchClient, { type Client as FetchClient, type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type Schemas = components["schemas"];
export type ErrorBody = Schemas["Error"];
/** A client of the agency (the entity, not this HTTP client). */
export type Client = Schemas["Client"];
export type Campaign = Schemas["Campaign"];
export type Content = Schemas["Content"];
export type Block = Schemas["Block"];
export type Script = Schemas["Script"];
export type Resource = Schemas["Resource"];
export type ApiEvent = Schemas["Event"];
export type EventType = ApiEvent["type"];
/** The event of one type, with its typed `data`. */
export type EventOf<T extends EventType> = Extract<ApiEvent, { type: T }>;

export type ApiPaths = paths;

/** A token, or a function giving the current one (refreshed tokens). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface OmniVibeOptions {
    /** Where the service is, e.g. "http://127.0.0.1:8000" (no /api/v1). */
    baseUrl: string;
    /** Bearer token, for servers started with --tokens. */
    token?: TokenSource;
    /** fetch to use (defaults to globalThis.fetch). */
    fetch?: typeof globalThis.fetch;
    /**
     * Writes (POST, PATCH, PUT, DELETE) retried after a network failure or a
     * 503, with the same Idempotency-Key so a write that did land is not made
     * twice (the server replays its answer). Default 2.
     */
    writeRetries?: number;
    /** Upper bound of one wait between retries, in ms (Retry-After is honoured). Default 2000. */
    maxRetryDelayMs?: number;
}

/** An error answer of the service, with its typed body. */
export class OmniVibeError extends Error {
    readonly status: number;
    readonly body: ErrorBody;
    constructor(status: number, body: ErrorBody) {
        super(`${status} ${body.code}: ${body.detail}`);
        this.name = "OmniVibeError";
        this.status = status;
        this.body = body;
    }
    get code(): ErrorBody["code"] {
        return this.body.code;
    }
}

const unsafeMethods = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/** `{"If-Match": "\"3\""}` for an entity (or its version). */
export function ifMatch(entity: { version: number } | number): { "If-Match": string } {
    const version = typeof entity === "number" ? entity : entity.version;
    return { "If-Match": `"${version}"` };
}

/** A fresh Idempotency-Key: a random UUID (Node 18 lacks the global crypto; Math.random then). */
export function idempotencyKey(): string {
    const webCrypto: Crypto | undefined = globalThis.crypto;
    if (webCrypto !== undefined && typeof webCrypto.randomUUID === "function") return webCrypto.randomUUID();
    const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export async function resolveToken(token: TokenSource | undefined): Promise<string | undefined> {
    return typeof token === "function" ? await token() : token;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function retryDelay(response: Response | undefined, attempt: number, cap: number): number {
    const header = response?.headers.get("Retry-After");
    const seconds = header !== null && header !== undefined ? Number(header) : NaN;
    const ms = Number.isFinite(seconds) ? seconds * 1000 : 100 * 2 ** attempt;
    return Math.min(ms, cap);
}

export interface OmniVibeClient {
    /** The typed client: every path and method of the description. */
    readonly api: FetchClient<paths>;
    readonly baseUrl: string;
    readonly token: TokenSource | undefined;
    readonly fetch: typeof globalThis.fetch;
    /** The highest X-Event-Seq any write of this client was answered with (0: none yet). */
    readonly lastWriteSeq: number;
    /** Records a seq the client has seen (writes do this themselves). */
    noteSeq(seq: number): void;
}

/** The typed client of the service. */
export function createOmniVibeClient(options: OmniVibeOptions): OmniVibeClient {
    const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const retries = options.writeRetries ?? 2;
    const cap = options.maxRetryDelayMs ?? 2000;
    let lastWriteSeq = 0;
    const noteSeq = (seq: number): void => {
        if (Number.isSafeInteger(seq) && seq > lastWriteSeq) lastWriteSeq = seq;
    };

    // Writes get an Idempotency-Key (unless the caller gave one) and are
    // retried with it; reads go through once.
    const fetchWithRetries = async (input: Request): Promise<Response> => {
        if (!unsafeMethods.has(input.method)) return baseFetch(input);
        if (!input.headers.has("Idempotency-Key")) input.headers.set("Idempotency-Key", idempotencyKey());
        const request = input;
        for (let attempt = 0; ; ++attempt) {
            const last = attempt >= retries;
            let response: Response | undefined;
            try {
                response = await baseFetch(last ? request : request.clone());
            } catch (error) {
                if (last) throw error;
            }
            if (response !== undefined && (response.status !== 503 || last)) return response;
            await sleep(retryDelay(response, attempt, cap));
        }
    };

    const api = createFetchClient<paths>({ baseUrl: options.baseUrl, fetch: fetchWithRetries });
    const middleware: Middleware = {
        async onRequest({ request }) {
            const token = await resolveToken(options.token);
            if (token !== undefined && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${token}`);
            return request;
        },
        onResponse({ request, response }) {
            if (unsafeMethods.has(request.method) && response.ok) {
                const seq = Number(response.headers.get("X-Event-Seq"));
                noteSeq(seq);
            }
            return response;
        },
    };
    api.use(middleware);

    return {
        api,
        baseUrl: options.baseUrl,
        token: options.token,
        fetch: baseFetch,
        get lastWriteSeq() {
            return lastWriteSeq;
        },
        noteSeq,
    };
}

/**
 * The data of a call, or an OmniVibeError with the typed error body:
 * `const c = await unwrap(client.api.GET("/api/v1/campaigns/{id}", {...}))`.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const { data, error, response } = await call;
    if (response.ok && data !== undefined) return data;
    if (isErrorBody(error)) throw new OmniVibeError(response.status, error);
    if (response.ok && response.status === 204) throw new Error("the answer has no body");
    throw new OmniVibeError(response.status, {
        detail: `HTTP ${response.status} without an error body`,
        code: response.status === 503 ? "unavailable" : "internal",
        errors: [],
        request_id: response.headers.get("X-Request-Id") ?? "",
    });
}

export function isErrorBody(value: unknown): value is ErrorBody {
    return (
        typeof value === "object" &&
        value !== null &&
        "code" in value &&
        "detail" in value &&
        typeof value.code === "string" &&
        typeof value.detail === "string"
    );
}
