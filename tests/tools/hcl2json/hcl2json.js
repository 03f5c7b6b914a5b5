// Converts Terraform files with HashiCorp's HCL parser (@cdktf/hcl2json) for the module parser's
// differential tests and benchmark.
// Usage: node hcl2json.js FILE...   -> one JSON line per file: {"file":..., "json":...} or {"file":..., "error":...}
//        node hcl2json.js --bench N FILE...  -> parses all files N times and prints {"bytes":..,"elapsedMs":..}
"use strict";
const fs = require("fs");
const { parse } = require("@cdktf/hcl2json");

async function main(argv) {
  if (argv[0] === "--bench") {
    const rounds = Number(argv[1]);
    const inputs = argv.slice(2).map((f) => [f, fs.readFileSync(f, "utf8")]);
    for (const [f, text] of inputs) await parse(f, text); // warm-up: loads the WebAssembly module
    let bytes = 0;
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) {
      for (const [f, text] of inputs) {
        await parse(f, text);
        bytes += Buffer.byteLength(text, "utf8");
      }
    }
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    process.stdout.write(JSON.stringify({ bytes, elapsedMs, rounds }) + "\n");
    return;
  }
  const lines = [];
  for (const file of argv) {
    let line;
    try {
      const json = await parse(file, fs.readFileSync(file, "utf8"));
      line = { file, json };
    } catch (e) {
      line = { file, error: String(e) };
    }
    lines.push(JSON.stringify(line));
  }
  await new Promise((resolve) => process.stdout.write(lines.join("\n") + "\n", resolve));
}

// The WebAssembly runtime keeps the event loop alive, so exit explicitly, but only once stdout is flushed
// (a pipe is written asynchronously).
main(process.argv.slice(2)).then(
  () => process.stdout.write("", () => process.exit(0)),
  (e) => { process.stderr.write(String(e && e.stack || e) + "\n"); process.exit(2); });
