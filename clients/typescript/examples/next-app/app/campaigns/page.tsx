"use client";
// A campaign board: the client's campaigns kept live, one campaign followed
// closely, a status change with If-Match that waits until it is visible, and
// a ticker of the change feed.
import { useState } from "react";

import { type Campaign, OmniVibeError, awaitSeq, ifMatch, unwrap } from "@omnivibe/client";
import { useChanges, useEntity, useLiveList } from "@omnivibe/client/react";

import { omnivibe } from "../../lib/omnivibe";

export default function CampaignsPage({ clientId }: { clientId: number }) {
    const { items, seq, state } = useLiveList(omnivibe, "/api/v1/clients/{id}/campaigns", {
        path: { id: clientId },
        query: { sort: "-updated_at", page_size: 50 },
    });
    const [selected, setSelected] = useState<number | undefined>(undefined);
    const [ticker, setTicker] = useState<string[]>([]);
    const feed = useChanges(omnivibe, { types: ["campaign.*"] }, (event) => {
        const line = event.type === "campaign.updated" && event.data.status !== undefined
            ? `#${event.entity_id} is now ${event.data.status}`
            : `${event.type} #${event.entity_id}`;
        setTicker((lines) => [line, ...lines].slice(0, 5));
    });

    return (
        <main>
            <h1>Campaigns ({state}, at {seq ?? "…"}; feed {feed.state})</h1>
            <ul>
                {items.map((c) => (
                    <li key={c.id} onClick={() => setSelected(c.id)}>
                        {c.name} — {c.status}, {c.content_count} items
                    </li>
                ))}
            </ul>
            {selected !== undefined && <CampaignCard id={selected} />}
            <ol>{ticker.map((line, i) => <li key={i}>{line}</li>)}</ol>
        </main>
    );
}

function CampaignCard({ id }: { id: number }) {
    const { data, missing, error } = useEntity(omnivibe, "campaign", id);
    const [problem, setProblem] = useState<string | undefined>(undefined);
    if (missing) return <p>This campaign was deleted.</p>;
    if (error !== undefined) return <p>Could not load the campaign.</p>;
    if (data === undefined) return <p>Loading…</p>;
    return (
        <section>
            <h2>{data.name}</h2>
            <p>Status: {data.status}; starts {data.start_date ?? "undated"}</p>
            <button onClick={() => void activate(data).then(setProblem)}>Activate</button>
            {problem !== undefined && <p role="alert">{problem}</p>}
        </section>
    );
}

// Changes the status only if nobody changed the campaign meanwhile, then waits
// until the service shows the change (read-your-writes).
export async function activate(campaign: Campaign): Promise<string | undefined> {
    try {
        await unwrap(
            omnivibe.api.PATCH("/api/v1/campaigns/{id}", {
                params: { path: { id: campaign.id }, header: ifMatch(campaign) },
                body: { status: "active" },
            }),
        );
        await awaitSeq(omnivibe);
        return undefined;
    } catch (e) {
        if (e instanceof OmniVibeError && e.code === "version_mismatch")
            return `Someone else changed it (now version ${e.body.current_version ?? "?"}); reload and try again.`;
        throw e;
    }
}
