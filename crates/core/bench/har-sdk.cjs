// Converts one OpenAPI file with @har-sdk/oas (Node), as the peer to compare
// prescan's core with. Usage: node har-sdk.cjs SPEC.json
// Resolves @har-sdk/oas from NODE_PATH (set by compare.sh).
const fs = require('fs');
const { oas2har } = require('@har-sdk/oas');

(async () => {
  const started = process.hrtime.bigint();
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const requests = await oas2har(spec);
  const json = JSON.stringify(requests);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`@har-sdk/oas: ${requests.length} requests, ${json.length} bytes, ${ms.toFixed(1)} ms`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
