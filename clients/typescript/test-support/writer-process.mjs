// Another process writing to the server while a test follows it: creates,
// changes and deletes campaigns and content of one client, then prints the
// X-Event-Seq of its last write. Usage: node writer-process.mjs BASE_URL CLIENT_ID ROUNDS
const [baseUrl, clientId, rounds] = process.argv.slice(2);

async function call(method, path, body, headers = {}) {
    const response = await fetch(baseUrl + path, {
        method,
        headers: { "Content-Type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return { body: JSON.parse(text), seq: Number(response.headers.get("X-Event-Seq")) };
}

let last = 0;
const note = (r) => ((last = Math.max(last, r.seq)), r.body);
for (let i = 0; i < Number(rounds); ++i) {
    const campaign = note(await call("POST", "/api/v1/campaigns", { client_id: Number(clientId), name: `Campaign ${i}` }));
    note(await call("PATCH", `/api/v1/campaigns/${campaign.id}`, { status: "active", bgm_volume: 0.5 }));
    const content = note(await call("POST", "/api/v1/content-schedule", { campaign_id: campaign.id, topic: `Topic ${i}`, platform: "tiktok" }));
    if (i % 3 === 1) note(await call("DELETE", `/api/v1/content-schedule/${content.content.id}`));
    if (i % 4 === 2) note(await call("DELETE", `/api/v1/campaigns/${campaign.id}`));
}
console.log(last);
