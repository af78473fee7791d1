// @omnivibe/client: the typed client of the OmniVibe event service.
export * from "./client.js";
export * from "./changes.js";
export * from "./live.js";
export type { components, operations, paths } from "./schema.js";
