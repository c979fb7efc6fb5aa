#!ts name=leaderboard
// leaderboard.js in TypeScript: the same functions, with types.
//
//   FCALL lb_add 1 <board> <member> <points>  -> {member, score, rank}
//   FCALL_RO lb_top 1 <board> <n>             -> [{rank, member, score}, ...]
//   FCALL_RO lb_around 1 <board> <member> <n> -> up to n entries either side
//   FCALL_RO lb_get 1 <board> <member>        -> {member, score, rank} or null

// The part of the redis object this library uses (the engine does not
// check types; this is for the reader and the editor).
declare const redis: {
  call(cmd: string, ...args: (string | number)[]): any;
  registerFunction(spec: {
    name: string;
    callback: (keys: string[], args: string[]) => unknown;
    flags?: ('no-writes' | 'allow-oom' | 'allow-stale' | 'no-cluster' | 'allow-cross-slot-keys')[];
    description?: string;
  }): void;
  registerFunction(name: string, callback: (keys: string[], args: string[]) => unknown): void;
};

interface Entry {
  rank: number; // 1 is the highest score
  member: string;
  score: number;
}

function entries(flat: string[], start: number): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    out.push({rank: start + i / 2 + 1, member: flat[i], score: Number(flat[i + 1])});
  }
  return out;
}

function count(arg: string | undefined): number {
  const n = Number(arg);
  if (!Number.isInteger(n) || n < 1) throw new Error('ERR count must be a positive integer');
  return n;
}

function get(board: string, member: string): Entry | null {
  const rank: number | null = redis.call('ZREVRANK', board, member);
  if (rank === null) return null;
  return {member, score: Number(redis.call('ZSCORE', board, member)), rank: rank + 1};
}

redis.registerFunction('lb_add', (keys, [member, points]) => {
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
  callback: (keys, [member, n]): Entry[] => {
    const rank: number | null = redis.call('ZREVRANK', keys[0], member);
    if (rank === null) return [];
    const span = count(n);
    const start = Math.max(0, rank - span);
    return entries(redis.call('ZREVRANGE', keys[0], start, rank + span, 'WITHSCORES'), start);
  },
});

redis.registerFunction({
  name: 'lb_get',
  flags: ['no-writes'],
  callback: (keys, [member]) => get(keys[0], member),
});
