#!js name=ratelimit
// A sliding-window rate limiter: at most `limit` hits per `window` ms for
// each key. Hits are members of a sorted set scored by the server's time
// in ms; the set expires when its window has passed without hits.
//
//   FCALL ratelimit_hit 1 <key> <limit> <window_ms>
//     -> {allowed: 1 | 0, remaining: n, retry_after_ms: ms}
//   FCALL_RO ratelimit_peek 1 <key> <limit> <window_ms>
//     -> the same, without counting a hit

// nowMs is the server's clock (TIME), in milliseconds.
function nowMs() {
  const [sec, usec] = redis.call('TIME');
  return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
}

// params reads and checks limit and window.
function params(args) {
  const limit = Number(args[0]);
  const window = Number(args[1]);
  if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(window) || window < 1) {
    throw new Error('ERR limit and window must be positive integers');
  }
  return [limit, window];
}

// state counts the hits in the window ending at now and, when the limit
// is reached, how long until the oldest of them leaves the window.
function state(key, limit, window, now) {
  const count = redis.call('ZCOUNT', key, `(${now - window}`, '+inf');
  if (count < limit) {
    return {allowed: 1, remaining: limit - count, retry_after_ms: 0};
  }
  const [, oldest] = redis.call('ZRANGE', key, `(${now - window}`, '+inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES');
  return {allowed: 0, remaining: 0, retry_after_ms: Number(oldest) + window - now};
}

let seq = 0; // makes members unique when hits share a millisecond

redis.registerFunction('ratelimit_hit', (keys, args) => {
  const [limit, window] = params(args);
  const key = keys[0];
  const now = nowMs();
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window);
  const s = state(key, limit, window, now);
  if (s.allowed) {
    seq = (seq + 1) % 1e9;
    redis.call('ZADD', key, now, `${now}-${seq}`);
    redis.call('PEXPIRE', key, window);
    s.remaining -= 1;
  }
  return s;
});

redis.registerFunction({
  name: 'ratelimit_peek',
  callback: (keys, args) => {
    const [limit, window] = params(args);
    return state(keys[0], limit, window, nowMs());
  },
  flags: ['no-writes'],
  description: 'the limiter state of a key, without counting a hit',
});
