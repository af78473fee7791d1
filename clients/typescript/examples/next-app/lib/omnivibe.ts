// One client for the whole app; the token comes from the session in a real app.
import { createOmniVibeClient } from "@omnivibe/client";

export const omnivibe = createOmniVibeClient({
    baseUrl: process.env.NEXT_PUBLIC_OMNIVIBE_URL ?? "http://127.0.0.1:8000",
    token: () => process.env.NEXT_PUBLIC_OMNIVIBE_TOKEN,
});
