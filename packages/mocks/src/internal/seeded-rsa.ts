/**
 * A 2048-bit RSA key derived from 32 seed bytes, for `keySeed`. Web Crypto cannot generate RSA keys
 * from a seed, so the primes are found here: each starts at a seed-derived odd 1024-bit number (top
 * two bits set, so n has exactly 2048 bits) and steps by 2 until a number survives trial division and
 * Miller-Rabin. The key is as sound as any RSA key for signing test tokens; it is reproducible, so it
 * must never sign anything real.
 */

const SMALL_PRIMES = (() => {
  const primes: number[] = [];
  for (let n = 3; primes.length < 300; n += 2) {
    if (primes.every((p) => n % p !== 0)) {
      primes.push(n);
    }
  }
  return primes;
})();

// Miller-Rabin rounds with fixed prime bases: the candidates are not adversarial, and 2^-80 per
// composite is far below any chance that matters for a test key.
const WITNESSES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n, 53n];

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) {
      result = (result * b) % modulus;
    }
    b = (b * b) % modulus;
  }
  return result;
}

function isProbablePrime(n: bigint): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s += 1;
  }
  witness: for (const a of WITNESSES) {
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) {
      continue;
    }
    for (let i = 1; i < s; i += 1) {
      x = (x * x) % n;
      if (x === n - 1n) {
        continue witness;
      }
    }
    return false;
  }
  return true;
}

const E = 65537n;

function nextPrime(start: bigint): bigint {
  // Remainders of the candidate by each small prime, stepped along instead of recomputed.
  const remainders = SMALL_PRIMES.map((p) => Number(start % BigInt(p)));
  for (let step = 0n; ; step += 2n) {
    const divisible = remainders.some((r) => r === 0);
    const candidate = start + step;
    if (!divisible && (candidate - 1n) % E !== 0n && isProbablePrime(candidate)) {
      return candidate;
    }
    for (let i = 0; i < remainders.length; i += 1) {
      remainders[i] = ((remainders[i] as number) + 2) % (SMALL_PRIMES[i] as number);
    }
  }
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const byte of bytes) {
    n = (n << 8n) | BigInt(byte);
  }
  return n;
}

function base64url(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2) {
    hex = `0${hex}`;
  }
  let binary = '';
  for (let i = 0; i < hex.length; i += 2) {
    binary += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The private JWK of an RSA-2048 key; `material` yields the 128 seed bytes of the two prime searches. */
export function rsaJwkFromSeed(material: Uint8Array): Record<string, string> {
  const start = (bytes: Uint8Array) => toBigInt(bytes) | (3n << 1022n) | 1n;
  const p = nextPrime(start(material.subarray(0, 128)));
  let q = nextPrime(start(material.subarray(128, 256)));
  if (q === p) {
    q = nextPrime(q + 2n);
  }
  const n = p * q;
  const d = modInverse(E, (p - 1n) * (q - 1n));
  return {
    kty: 'RSA',
    n: base64url(n),
    e: base64url(E),
    d: base64url(d),
    p: base64url(p),
    q: base64url(q),
    dp: base64url(d % (p - 1n)),
    dq: base64url(d % (q - 1n)),
    qi: base64url(modInverse(q, p)),
  };
}
