// React hooks over the client (entry point @omnivibe/client/react; React is a
// peer dependency). Each hook opens what it needs when the component mounts
// and closes it when it unmounts or its inputs change.

import { useEffect, useRef, useState } from "react";

import { type ChangeFeed, type ChangesOptions, type ConnectionState, changes } from "./changes.js";
import { type ApiEvent, type OmniVibeClient, OmniVibeError, type Schemas, unwrap } from "./client.js";
import { type LiveListParams, type LiveListPath, type LiveLists, liveList } from "./live.js";

export interface LiveListState<T> {
    items: readonly T[];
    seq: number | undefined;
    state: ConnectionState;
    error: unknown;
}

/** A list kept current from the change feed (see liveList). */
export function useLiveList<P extends LiveListPath>(
    client: OmniVibeClient,
    path: P,
    params: LiveListParams<P> = {},
): LiveListState<LiveLists[P]["item"]> {
    const key = JSON.stringify(params);
    const [state, setState] = useState<LiveListState<LiveLists[P]["item"]>>({ items: [], seq: undefined, state: "connecting", error: undefined });
    useEffect(() => {
        const list = liveList(client, path, params);
        const stop = list.subscribe((s) => setState({ items: [...s.items], seq: s.seq, state: s.state, error: undefined }));
        list.ready.catch((error: unknown) => setState((s) => ({ ...s, error })));
        return () => {
            stop();
            list.close();
        };
        // params are compared by value (key), not by identity
    }, [client, path, key]);
    return state;
}

/** The change feed: calls `onEvent` for each event; returns the connection state and last seq. */
export function useChanges(
    client: OmniVibeClient,
    options: Omit<ChangesOptions, "signal">,
    onEvent: (event: ApiEvent) => void,
): { state: ConnectionState; lastSeq: number | undefined } {
    const handler = useRef(onEvent);
    handler.current = onEvent;
    const [status, setStatus] = useState<{ state: ConnectionState; lastSeq: number | undefined }>({ state: "connecting", lastSeq: options.since });
    const key = JSON.stringify(options);
    useEffect(() => {
        const feed: ChangeFeed = changes(client, options);
        const offEvent = feed.onEvent((event) => {
            handler.current(event);
            setStatus({ state: feed.state, lastSeq: feed.lastSeq });
        });
        const offState = feed.onState((state) => setStatus({ state, lastSeq: feed.lastSeq }));
        return () => {
            offEvent();
            offState();
            feed.close();
        };
        // options are compared by value (key), not by identity
    }, [client, key]);
    return status;
}

/** The single-entity reads the hook can follow, with the stream of each. */
export interface Entities {
    client: Schemas["Client"];
    campaign: Schemas["Campaign"];
    content: Schemas["Content"];
    block: Schemas["Block"];
    script: Schemas["Script"];
}
export type EntityKind = keyof Entities;

type EntityLoaders = { [K in EntityKind]: (client: OmniVibeClient, id: number, minSeq: number | undefined) => Promise<{ entity: Entities[K]; seq: number }> };

const header = (minSeq: number | undefined): { "X-Min-Event-Seq"?: number } => (minSeq === undefined ? {} : { "X-Min-Event-Seq": minSeq });
const seqOf = (response: Response): number => Number(response.headers.get("X-Event-Seq") ?? "0");

const entityLoaders: EntityLoaders = {
    client: async (c, id, minSeq) => {
        const call = c.api.GET("/api/v1/clients/{id}", { params: { path: { id }, header: header(minSeq) } });
        return { entity: await unwrap(call), seq: seqOf((await call).response) };
    },
    campaign: async (c, id, minSeq) => {
        const call = c.api.GET("/api/v1/campaigns/{id}", { params: { path: { id }, header: header(minSeq) } });
        return { entity: await unwrap(call), seq: seqOf((await call).response) };
    },
    content: async (c, id, minSeq) => {
        const call = c.api.GET("/api/v1/content-schedule/{id}", { params: { path: { id }, header: header(minSeq) } });
        return { entity: (await unwrap(call)).content, seq: seqOf((await call).response) };
    },
    block: async (c, id, minSeq) => {
        const call = c.api.GET("/api/v1/storyboard/blocks/{id}", { params: { path: { id }, header: header(minSeq) } });
        return { entity: (await unwrap(call)).block, seq: seqOf((await call).response) };
    },
    script: async (c, id, minSeq) => {
        const call = c.api.GET("/api/v1/scripts/{id}", { params: { path: { id }, header: header(minSeq) } });
        return { entity: (await unwrap(call)).script, seq: seqOf((await call).response) };
    },
};

export interface EntityState<T> {
    data: T | undefined;
    /** The entity was deleted (or never existed): 404. */
    missing: boolean;
    error: unknown;
    state: ConnectionState;
}

/** One entity, read again whenever an event of its stream arrives. */
export function useEntity<K extends EntityKind>(client: OmniVibeClient, kind: K, id: number): EntityState<Entities[K]> {
    const [state, setState] = useState<EntityState<Entities[K]>>({ data: undefined, missing: false, error: undefined, state: "connecting" });
    useEffect(() => {
        let active = true;
        let shown = -1;  // the seq of the answer shown: an older one arriving late is dropped
        let feed: ChangeFeed | undefined;
        const load: EntityLoaders[K] = entityLoaders[kind];
        const read = async (minSeq: number | undefined): Promise<number | undefined> => {
            try {
                const { entity, seq } = await load(client, id, minSeq);
                if (active && seq >= shown) {
                    shown = seq;
                    setState((s) => ({ ...s, data: entity, missing: false, error: undefined }));
                }
                return seq;
            } catch (error) {
                if (!active) return undefined;
                if (error instanceof OmniVibeError && error.status === 404) setState((s) => ({ ...s, data: undefined, missing: true }));
                else setState((s) => ({ ...s, error }));
                return undefined;
            }
        };
        // Read first, then follow the stream from the seq of that read: no
        // change between the two is missed.
        void read(undefined).then((seq) => {
            if (!active) return;
            feed = changes(client, { stream: `${kind}-${id}`, since: seq });
            feed.onEvent((event) => void read(event.seq));
            feed.onState((s) => active && setState((prev) => ({ ...prev, state: s })));
        });
        return () => {
            active = false;
            feed?.close();
        };
    }, [client, kind, id]);
    return state;
}
