#!/usr/bin/env node
// The OpenAPI conformance check: every response the integration tests received
// (logged one JSON line each by tests/support/http_client.cpp) is matched to
// the operation of docs/openapi.json its method and path select, and refused
// when its status is not documented there, when it carries a header the
// response does not declare (or lacks one declared required), when its
// Content-Type is not among the documented media types, or when its JSON body
// does not validate against the documented schema (JSON Schema 2020-12; the
// response objects refuse undocumented fields). Prints the records checked per
// operation; exits 1 listing the disagreements.
//
// Usage: check_responses.mjs --openapi docs/openapi.json --modules clients/typescript --log DIR
// (--modules: a folder whose node_modules holds ajv and ajv-formats).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const name of ['openapi', 'modules', 'log']) {
    if (!args[name]) {
        console.error(`usage: check_responses.mjs --openapi FILE --modules DIR --log DIR (missing --${name})`);
        process.exit(2);
    }
}

const require = createRequire(path.resolve(args.modules, 'package.json'));
let Ajv2020, addFormats;
try {
    Ajv2020 = require('ajv/dist/2020').default;
    addFormats = require('ajv-formats').default;
} catch {
    console.error(`ajv is not installed under ${args.modules}/node_modules: run npm ci there (make test does).`);
    process.exit(2);
}

const doc = JSON.parse(fs.readFileSync(args.openapi, 'utf8'));

// ---- schemas ------------------------------------------------------------------------
// The components become the $defs of one schema, so that every "#/components/schemas/X"
// reference resolves; OpenAPI's own keywords are declared to the validator.
// The discriminator is a hint for generators (each event variant pins its
// `type` with const, so oneOf alone is exact); ajv's own support refuses a mapping.
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addFormat('binary', true);
ajv.addKeyword({ keyword: 'discriminator' });
const rewrite = (schema) =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"components#/$defs/'));
ajv.addSchema({ $id: 'components', $defs: rewrite(doc.components.schemas) });
const validators = new Map();
function validatorFor(schema) {
    const key = JSON.stringify(schema);
    if (!validators.has(key)) validators.set(key, ajv.compile(rewrite(schema)));
    return validators.get(key);
}
// Every component schema must compile (a broken $ref or keyword fails here).
for (const name of Object.keys(doc.components.schemas)) ajv.getSchema(`components#/$defs/${name}`);

const deref = (obj) => {
    while (obj && obj.$ref) {
        const parts = obj.$ref.replace(/^#\//, '').split('/');
        obj = parts.reduce((o, p) => o[p], doc);
    }
    return obj;
};

// ---- operations -----------------------------------------------------------------------
const templates = Object.keys(doc.paths).map((p) => ({
    path: p,
    segments: p.split('/').slice(1),
    literals: p.split('/').filter((s) => s && !s.startsWith('{')).length,
}));

// The path template a request path selects, as the router matches it: one
// optional trailing slash, placeholders take any non-empty segment, "//" matches nothing.
function templateOf(requestPath) {
    if (!requestPath.startsWith('/') || requestPath.includes('//')) return null;
    let p = requestPath;
    if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
    const parts = p.split('/').slice(1);
    let best = null;
    for (const t of templates) {
        if (t.segments.length !== parts.length) continue;
        const fits = t.segments.every((s, i) => (s.startsWith('{') ? parts[i] !== '' : s === parts[i]));
        if (fits && (!best || t.literals > best.literals)) best = t;
    }
    return best;
}

// Statuses answered before a route is chosen (framing, credentials, the body
// limit, the connection limit), and the 404/405 of the router itself.
const beforeRouting = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    413: 'PayloadTooLarge',
    431: 'HeaderTooLarge',
    503: 'Unavailable',
};

// Headers of HTTP itself and of CORS, which no operation needs to list.
const transportHeaders = new Set([
    'content-type', 'content-length', 'connection', 'keep-alive', 'date', 'server', 'transfer-encoding',
    'vary', 'access-control-allow-origin', 'access-control-expose-headers', 'access-control-allow-methods',
    'access-control-allow-headers', 'access-control-max-age',
]);

function checkHeader(name, value, schema) {
    schema = deref(schema);
    if (!schema) return null;
    if (schema.enum && !schema.enum.includes(value)) return `header ${name}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`;
    if (schema.type === 'integer' && !/^\d+$/.test(value)) return `header ${name}: ${JSON.stringify(value)} is not an integer`;
    if (schema.type === 'integer' && schema.minimum !== undefined && Number(value) < schema.minimum)
        return `header ${name}: ${value} is below ${schema.minimum}`;
    return null;
}

// The problems of one record against its documented response.
function checkResponse(record, response, isHead) {
    const problems = [];
    response = deref(response);
    const declared = new Map(Object.entries(response.headers || {}).map(([k, v]) => [k.toLowerCase(), deref(v)]));
    const seen = new Map(record.headers.map(([k, v]) => [k.toLowerCase(), v]));
    for (const [name, value] of seen) {
        if (transportHeaders.has(name)) continue;
        if (!declared.has(name)) {
            problems.push(`undocumented header ${name}`);
            continue;
        }
        const bad = checkHeader(name, value, declared.get(name).schema);
        if (bad) problems.push(bad);
    }
    for (const [name, h] of declared) if (h.required && !seen.has(name)) problems.push(`missing header ${name}`);

    const bodyLength = record.body !== undefined ? record.body.length : record.body_bytes;
    if (!response.content) {
        if (bodyLength) problems.push('a body where none is documented');
        return problems;
    }
    if (isHead) return problems;
    const mediaType = (seen.get('content-type') || '').split(';')[0].trim().toLowerCase();
    const content = Object.entries(response.content).find(([t]) => t.toLowerCase() === mediaType);
    if (!content) {
        problems.push(`Content-Type ${mediaType || '(none)'} is not documented (${Object.keys(response.content).join(', ')})`);
        return problems;
    }
    if (mediaType !== 'application/json' || !content[1].schema) return problems;
    let body;
    try {
        body = JSON.parse(record.body ?? '');
    } catch {
        problems.push('the body is not JSON');
        return problems;
    }
    const validate = validatorFor(content[1].schema);
    if (!validate(body))
        for (const e of validate.errors.slice(0, 5))
            problems.push(`body${e.instancePath} ${e.message}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ''}`);
    return problems;
}

// ---- the records ------------------------------------------------------------------------
const files = fs.existsSync(args.log) ? fs.readdirSync(args.log).filter((f) => f.endsWith('.jsonl')) : [];
const counts = new Map();
const failures = new Map();
let total = 0;
for (const file of files) {
    for (const line of fs.readFileSync(path.join(args.log, file), 'utf8').split('\n')) {
        if (!line) continue;
        const record = JSON.parse(line);
        ++total;
        const method = record.method.toUpperCase();
        const requestPath = record.target.split('?')[0];
        const template = templateOf(requestPath);
        const opMethod = method === 'HEAD' ? 'get' : method.toLowerCase();
        let label;
        let response;
        if (method === 'OPTIONS' && record.status === 204) {
            label = 'CORS preflight';
            response = { headers: { 'X-Request-Id': doc.components.headers['X-Request-Id'] } };
        } else if (template && doc.paths[template.path][opMethod]) {
            const op = doc.paths[template.path][opMethod];
            label = `${method === 'HEAD' ? 'HEAD' : method} ${template.path}`;
            response = op.responses[record.status];
            if (!response) {
                const key = `${label} ${record.status}: undocumented status`;
                failures.set(key, [...(failures.get(key) || []), record.target]);
            }
        } else {
            label = template ? `${method} (not served) ${template.path}` : `${method} (unknown path)`;
            const routerStatus = template ? { 405: 'MethodNotAllowed' } : { 404: 'NotFound' };
            const name = { ...beforeRouting, ...routerStatus }[record.status];
            if (name) response = doc.components.responses[name];
            else {
                const key = `${label} ${record.status}: undocumented status`;
                failures.set(key, [...(failures.get(key) || []), record.target]);
            }
        }
        const countKey = `${label} ${record.status}`;
        counts.set(countKey, (counts.get(countKey) || 0) + 1);
        if (!response) continue;
        for (const problem of checkResponse(record, response, method === 'HEAD')) {
            const key = `${label} ${record.status}: ${problem}`;
            failures.set(key, [...(failures.get(key) || []), record.target]);
        }
    }
}

// ---- the summary --------------------------------------------------------------------------
const exercised = new Set();
for (const key of counts.keys()) exercised.add(key.replace(/ \d+$/, ''));
console.log(`${total} responses from ${files.length} test processes checked against ${args.openapi}`);
for (const [key, n] of [...counts].sort()) console.log(`  ${String(n).padStart(6)}  ${key}`);
const never = [];
for (const [p, item] of Object.entries(doc.paths))
    for (const m of Object.keys(item)) if (!exercised.has(`${m.toUpperCase()} ${p}`)) never.push(`${m.toUpperCase()} ${p}`);
if (never.length) console.log(`operations no test called: ${never.join('; ')}`);
if (failures.size) {
    console.error(`\n${failures.size} disagreements between the responses and the description:`);
    for (const [key, targets] of failures)
        console.error(`  ${key}  (${targets.length}x, e.g. ${[...new Set(targets)].slice(0, 3).join(' ')})`);
    process.exit(1);
}
console.log('every response agrees with the description');
