#!js name=jsondoc
// JSON documents in string keys, updated atomically with a JSON merge
// patch (RFC 7386): an object patch merges into the document, key by
// key and recursively; null removes a key; anything else replaces.
//
//   FCALL doc_set 1 <key> <json>          -> the document, normalised
//   FCALL doc_merge 1 <key> <patch-json>  -> the new document
//   FCALL_RO doc_get 1 <key> [<path>]     -> the document, or the value at
//                                            a dotted path ("a.b.0"), as JSON;
//                                            null when there is none

function parse(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`ERR ${what} is not valid JSON: ${e.message}`);
  }
}

// load reads the document at key (null when the key does not exist).
function load(key) {
  const raw = redis.call('GET', key);
  return raw === null ? null : parse(raw, 'the stored document');
}

function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// merge applies patch to target and returns the result (RFC 7386).
function merge(target, patch) {
  if (!isObject(patch)) return patch;
  const out = isObject(target) ? {...target} : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

redis.registerFunction('doc_set', (keys, args) => {
  const doc = JSON.stringify(parse(args[0], 'the document'));
  redis.call('SET', keys[0], doc);
  return doc;
});

redis.registerFunction('doc_merge', (keys, args) => {
  const patch = parse(args[0], 'the patch');
  const doc = JSON.stringify(merge(load(keys[0]), patch));
  redis.call('SET', keys[0], doc, 'KEEPTTL');
  return doc;
});

redis.registerFunction({
  name: 'doc_get',
  flags: ['no-writes'],
  callback: (keys, args) => {
    let v = load(keys[0]);
    if (args.length > 0 && args[0] !== '') {
      for (const part of args[0].split('.')) {
        v = v !== null && typeof v === 'object' && Object.hasOwn(v, part) ? v[part] : undefined;
        if (v === undefined) return null;
      }
    }
    return v === null ? null : JSON.stringify(v);
  },
});
