// SHA-256 (FIPS 180-4), for the example's compute-heavy function.
const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const HEX = "0123456789abcdef";

// The initial hash value.
const IV: StaticArray<u32> = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

// The state and message schedule, reused from call to call (a function
// call runs alone). The loops read them with unchecked(): their indexes
// are in range by construction, and the bounds checks were most of the
// work.
const H = new StaticArray<u32>(8);
const W = new StaticArray<u32>(64);

export function sha256hex(data: Uint8Array): Uint8Array {
  const h = H, w = W;
  memory.copy(changetype<usize>(h), changetype<usize>(IV), 32);
  // The message, padded: 0x80, zeros, the bit length (big-endian).
  const len = data.length;
  const total = ((len + 9 + 63) >> 6) << 6;
  const msg = new Uint8Array(total);
  memory.copy(msg.dataStart, data.dataStart, len);
  const m = msg.dataStart;
  store<u8>(m + len, 0x80);
  const bits = <u64>len * 8;
  for (let i = 0; i < 8; i++) store<u8>(m + total - 1 - i, <u8>(bits >> (8 * i)));
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) unchecked((w[i] = bswap<u32>(load<u32>(m + off + 4 * i))));
    for (let i = 16; i < 64; i++) {
      const a = unchecked(w[i - 15]), b = unchecked(w[i - 2]);
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      unchecked((w[i] = unchecked(w[i - 16]) + s0 + unchecked(w[i - 7]) + s1));
    }
    let a = unchecked(h[0]), b = unchecked(h[1]), c = unchecked(h[2]), d = unchecked(h[3]);
    let e = unchecked(h[4]), f = unchecked(h[5]), g = unchecked(h[6]), hh = unchecked(h[7]);
    for (let i = 0; i < 64; i++) {
      const t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + unchecked(K[i]) + unchecked(w[i]);
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    unchecked((h[0] += a)); unchecked((h[1] += b)); unchecked((h[2] += c)); unchecked((h[3] += d));
    unchecked((h[4] += e)); unchecked((h[5] += f)); unchecked((h[6] += g)); unchecked((h[7] += hh));
  }
  const out = new Uint8Array(64);
  const o = out.dataStart;
  for (let i = 0; i < 8; i++) {
    const v = unchecked(h[i]);
    for (let j = 0; j < 8; j++) store<u8>(o + 8 * i + j, HEX.charCodeAt((v >>> (28 - 4 * j)) & 15));
  }
  return out;
}
