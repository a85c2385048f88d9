// Preloaded into the npm link checkers (node --require) by bench/links.sh:
// host names ending in BENCH_RESOLVE_SUFFIX (the bench's made-up names,
// e.g. ".docs.test") resolve to 127.0.0.1 without asking DNS, the way
// --resolve does for curl and volley.  Every other name resolves as usual.
'use strict';
const dns = require('dns');
const suffix = process.env.BENCH_RESOLVE_SUFFIX || '';
const systemLookup = dns.lookup;

dns.lookup = function benchLookup(host, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  if (suffix === '' || typeof host !== 'string' || !host.endsWith(suffix)) {
    return systemLookup.call(dns, host, options, callback);
  }
  const all = typeof options === 'object' && options !== null && options.all;
  if (all) {
    process.nextTick(callback, null, [{ address: '127.0.0.1', family: 4 }]);
  } else {
    process.nextTick(callback, null, '127.0.0.1', 4);
  }
  return {};
};
