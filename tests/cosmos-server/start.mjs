// Starts @vercel/cosmosdb-server for the storage contract tests, adjusted where the stock server and the
// .NET SDK (Gateway mode) disagree. Loopback only, plain HTTP, data in memory.
//
//   node start.mjs [--port N]      prints "listening http://127.0.0.1:PORT/" once ready
//   COSMOS_SERVER_LOG=1            logs each request (method, path, status, time) to stderr
//
// Adjustments (each is a wrapper around the package's own modules, applied before its routes load):
//  1. Query plans: the SDK asks the gateway for one (x-ms-cosmos-is-query-plan-request); the stock server
//     would run the query instead. We answer with a pass-through plan over one partition key range, so the
//     server itself evaluates ORDER BY / TOP and its continuation tokens flow back unchanged.
//  2. Queries honour x-ms-documentdb-partitionkey (the stock server returns every partition's documents).
//  3. A point read of a missing id answers 404 (the stock server fails with 500).
//  4. Time to live is enforced: with the container's defaultTtl set, an item whose ttl (or the default) has
//     elapsed since its _ts is invisible to reads, queries and writes, and is dropped when touched.
//  5. Patch filter predicates are evaluated as written, on the one addressed document (the stock server
//     lower-cases the predicate, string literals included, and matches the id across partitions).
//  6. Connections are kept alive (the stock server closes each one).
//  7. Replacing a container (e.g. to add a composite index) keeps its documents (the stock server drops them).
//  8. Database and container resource ids never contain "/". The stock server writes them in plain base64 (the
//     service writes "/" as "-"), and the SDK puts them in URL paths (.../dbs/{rid}/colls/{rid}/pkranges): the 63rd
//     database, and every one whose id encodes a "/", had no route for its partition key ranges, and its queries
//     failed with "GetTargetPartitionKeyRanges ... failed due to stale cache".
import { createRequire } from "node:module";
import { AsyncLocalStorage } from "node:async_hooks";

const require = createRequire(import.meta.url);
const lib = (path) => require(`@vercel/cosmosdb-server/lib/${path}`);
const query = require("@zeit/cosmosdb-query").default;

const partitionScope = new AsyncLocalStorage();
const nowSeconds = () => Math.floor(Date.now() / 1000);

// ---- 4. TTL -------------------------------------------------------------------------------------------
const Items = lib("account/items").default;

function isExpired(items, data) {
  if (!data || data._ts === undefined) return false;
  const container = items._parent.read();
  const defaultTtl = container ? container.defaultTtl : undefined;
  if (defaultTtl === undefined || defaultTtl === null) return false; // TTL off for the container
  const ttl = typeof data.ttl === "number" ? data.ttl : defaultTtl;
  return ttl > 0 && data._ts + ttl <= nowSeconds();
}

function drop(items, data) {
  for (const keyPath of items._uniqueKeyPaths) {
    const value = keyPath.slice(1).split("/").reduce((o, k) => (o == null ? undefined : o[k]), data);
    items._index.delete(items._getId(keyPath, value, items._getPartition(data)));
  }
  items._data.delete(data._rid);
}

const originalItem = Items.prototype._item;
Items.prototype._item = function item(keyPath, keyPathValue, partition) {
  const found = originalItem.call(this, keyPath, keyPathValue, partition);
  const data = found.read();
  if (isExpired(this, data)) {
    drop(this, data);
    return this._newItem();
  }
  return found;
};

// ---- 2 + 4. Queries see only live documents of the requested partition ----------------------------------
const originalQuery = Items.prototype.query;
Items.prototype.query = function scopedQuery(params, options) {
  const partition = partitionScope.getStore();
  const visible = new Map();
  for (const [rid, entry] of this._data) {
    const data = entry.read();
    if (isExpired(this, data)) continue;
    if (partition !== undefined && this._getPartition(data) !== partition) continue;
    visible.set(rid, entry);
  }
  return originalQuery.call(Object.create(this, { _data: { value: visible } }), params, options);
};

function requestedPartition(req) {
  const header = req.headers["x-ms-documentdb-partitionkey"];
  if (!header) return undefined;
  try {
    const parsed = JSON.parse(Array.isArray(header) ? header[0] : header);
    const value = Array.isArray(parsed) ? parsed[0] : parsed;
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined;
  } catch {
    return undefined;
  }
}

const queryDocuments = lib("handler/query-documents");
const stockQueryDocuments = queryDocuments.default;
queryDocuments.default = (account, req, res, params) =>
  partitionScope.run(requestedPartition(req), () => stockQueryDocuments(account, req, res, params));

// ---- 3. Missing documents are 404 -----------------------------------------------------------------------
const { parsePartitionKey } = lib("utils/get-partition-from-header");
const readDocument = lib("handler/read-document");
const stockReadDocument = readDocument.default;
readDocument.default = (account, req, res, params) => {
  const collection = account.database(params.dbId).collection(params.collId);
  const header = req.headers["x-ms-documentdb-partitionkey"];
  if (collection.read() && header) {
    let partition;
    try {
      partition = parsePartitionKey(Array.isArray(header) ? header[0] : header, params.docId);
    } catch {
      partition = undefined;
    }
    if (partition !== undefined && !collection.document(params.docId, partition).read()) {
      res.statusCode = 404;
      return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
    }
  }
  return stockReadDocument(account, req, res, params);
};

// ---- 5. Patch filter predicates ---------------------------------------------------------------------------
const patchOperations = lib("handler/_patch-operations");
const stockPatch = patchOperations.patchOperation;
patchOperations.patchOperation = (collection, input) => {
  if (!input.condition) return stockPatch(collection, input);
  let partition;
  try {
    partition = parsePartitionKey(input.partitionKey, input.id);
  } catch {
    partition = undefined;
  }
  const data = collection.document(input.id, partition).read();
  if (!data) return { statusCode: 404, body: { code: "NotFound", message: "Entity with the specified id does not exist in the system." } };
  let holds;
  try {
    holds = query(`SELECT * ${input.condition}`).exec([data], {}).result.length > 0;
  } catch (err) {
    return { statusCode: 400, body: { code: "BadRequest", message: `Invalid patch filter predicate: ${err.message}` } };
  }
  if (!holds) {
    return { statusCode: 412, body: { code: "PreconditionFailed", message: "Condition specified in the patch request is not satisfied." } };
  }
  return stockPatch(collection, { ...input, condition: undefined });
};

// ---- 7. Container replace keeps the documents -------------------------------------------------------------
const Collections = lib("account/collections").default;
const stockReplace = Collections.prototype.replace ?? Items.prototype.replace;
Collections.prototype.replace = function replaceKeepingDocuments(data, original) {
  const partition = this._getPartition(original);
  const before = this._item("/id", original.id, partition);
  const result = stockReplace.call(this, data, original);
  const after = this._item("/id", data.id, this._getPartition(data));
  if (before.documents && after.documents && before !== after) {
    for (const field of ["_data", "_index", "_ridCount"]) after.documents[field] = before.documents[field];
    after.userDefinedFunctions = before.userDefinedFunctions;
    after.userDefinedFunctions._parent = after;
  }
  return result;
};

// ---- 8. URL-safe resource ids ----------------------------------------------------------------------------
const Databases = lib("account/databases").default;
for (const Resources of [Databases, Collections]) {
  const stockCreate = Resources.prototype.create;
  Resources.prototype.create = function createWithUrlSafeRid(data) {
    while (this._rid(this._ridCount + 1).includes("/")) this._ridCount += 1;
    return stockCreate.call(this, data);
  };
}

// ---- 1. Query plans ---------------------------------------------------------------------------------------
const passThroughPlan = JSON.stringify({
  partitionedQueryExecutionInfoVersion: 2,
  queryInfo: {
    distinctType: "None",
    top: null,
    offset: null,
    limit: null,
    orderBy: [],
    orderByExpressions: [],
    groupByExpressions: [],
    groupByAliases: [],
    aggregates: [],
    groupByAliasToAggregateType: {},
    rewrittenQuery: "",
    hasSelectValue: false,
    hasNonStreamingOrderBy: false,
  },
  queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }],
});

function isQueryPlanRequest(req) {
  const header = req.headers["x-ms-cosmos-is-query-plan-request"];
  return typeof header === "string" && header.toLowerCase() === "true";
}

function answerQueryPlan(req, res) {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, {
      "content-type": "application/json",
      "x-ms-activity-id": crypto.randomUUID(),
      "x-ms-request-charge": "0",
      connection: "keep-alive",
    });
    res.end(passThroughPlan);
  });
}

// ---- start ------------------------------------------------------------------------------------------------
const { createHttpServer } = lib("index");

const args = process.argv.slice(2);
const portIndex = args.indexOf("--port");
const port = portIndex >= 0 ? Number.parseInt(args[portIndex + 1], 10) : 0;

const server = createHttpServer({ keepAlive: true });
const [stockListener] = server.listeners("request");
server.removeAllListeners("request");
const logRequests = process.env.COSMOS_SERVER_LOG === "1";
server.on("request", (req, res) => {
  if (logRequests) {
    const started = process.hrtime.bigint();
    res.on("finish", () => console.error(`${req.method} ${req.url} ${res.statusCode} ${Number(process.hrtime.bigint() - started) / 1e6}ms` +
      `${isQueryPlanRequest(req) ? " (query plan)" : ""}`));
  }
  return isQueryPlanRequest(req) ? answerQueryPlan(req, res) : stockListener(req, res);
});
server.keepAliveTimeout = 60_000;

server.listen(port, "127.0.0.1", () => {
  console.log(`listening http://127.0.0.1:${server.address().port}/`);
});

// The test process owns us: exit when it closes our stdin or asks us to stop.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
