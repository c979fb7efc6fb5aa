#!js name=leaderboard
// A leaderboard in a sorted set: highest score first, ranks from 1.
//
//   FCALL lb_add 1 <board> <member> <points>  -> {member, score, rank}
//   FCALL_RO lb_top 1 <board> <n>             -> [{rank, member, score}, ...]
//   FCALL_RO lb_around 1 <board> <member> <n> -> up to n entries either side
//   FCALL_RO lb_get 1 <board> <member>        -> {member, score, rank} or null

// entries turns ZREVRANGE ... WITHSCORES output ([m1, s1, m2, s2, ...])
// starting at 0-based position start into objects.
function entries(flat, start) {
  const out = [];
  for (let i = 0; i < flat.length; i += 2) {
    out.push({rank: start + i / 2 + 1, member: flat[i], score: Number(flat[i + 1])});
  }
  return out;
}

function count(arg) {
  const n = Number(arg);
  if (!Number.isInteger(n) || n < 1) throw new Error('ERR count must be a positive integer');
  return n;
}

// get is a member's entry, or null when it has no score.
function get(board, member) {
  const rank = redis.call('ZREVRANK', board, member);
  if (rank === null) return null;
  return {member, score: Number(redis.call('ZSCORE', board, member)), rank: rank + 1};
}

redis.registerFunction('lb_add', (keys, args) => {
  const [member, points] = args;
  if (!Number.isFinite(Number(points))) throw new Error('ERR points must be a number');
  redis.call('ZINCRBY', keys[0], points, member);
  return get(keys[0], member);
});

redis.registerFunction({
  name: 'lb_top',
  flags: ['no-writes'],
  callback: (keys, args) => entries(redis.call('ZREVRANGE', keys[0], 0, count(args[0]) - 1, 'WITHSCORES'), 0),
});

redis.registerFunction({
  name: 'lb_around',
  flags: ['no-writes'],
  callback: (keys, args) => {
    const rank = redis.call('ZREVRANK', keys[0], args[0]);
    if (rank === null) return [];
    const n = count(args[1]);
    const start = Math.max(0, rank - n);
    return entries(redis.call('ZREVRANGE', keys[0], start, rank + n, 'WITHSCORES'), start);
  },
});

redis.registerFunction({
  name: 'lb_get',
  flags: ['no-writes'],
  callback: (keys, args) => get(keys[0], args[0]),
});
