// Outside React: a live list and the typed feed, as a Node script or a
// server component would use them.
import { changes, liveList, unwrap } from "@omnivibe/client";

import { omnivibe } from "./omnivibe";

export async function followSchedule(campaignId: number, signal: AbortSignal): Promise<void> {
    const schedule = liveList(omnivibe, "/api/v1/campaigns/{id}/schedule", { path: { id: campaignId } });
    await schedule.ready;
    const stop = schedule.subscribe(({ items, seq }) => console.log(`at ${seq}: ${items.map((c) => c.topic).join(", ")}`));

    const feed = changes(omnivibe, { campaignId, types: ["content.*", "storyboard.*"], since: schedule.seq, signal });
    feed.on({
        "content.created": (e) => console.log(`new: ${e.data.topic} on ${e.data.platform ?? "no platform"}`),
        "storyboard.blocks_reordered": (e) => console.log(`reordered: ${e.data.block_ids.join(" ")}`),
    });
    for await (const event of feed) if (event.type === "content.deleted") console.log(`removed #${event.entity_id}`);

    const content = await unwrap(omnivibe.api.GET("/api/v1/campaigns/{id}/schedule", { params: { path: { id: campaignId } } }));
    console.log(`${content.contents.length} items at the end`);
    stop();
    schedule.close();
}
