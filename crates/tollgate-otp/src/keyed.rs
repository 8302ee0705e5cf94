//! HMAC (RFC 2104) of one 8-byte moving factor, composed over the hash crates' block functions.
//!
//! HMAC(K, m) = H((K' ⊕ opad) ‖ H((K' ⊕ ipad) ‖ m)). The two key blocks `K' ⊕ ipad` and
//! `K' ⊕ opad` do not depend on the message, so [`KeyedHmac::new`] compresses each once and keeps
//! the two chaining states. An OTP message is 8 bytes and the inner digest is at most 64 bytes,
//! so after that each message costs exactly two compressions, one per state: the hardware limit
//! that `benches/otp_verify.rs` measures as `limit`.
//!
//! The `hmac` crate computes the same function with the same two compressions, but its generic
//! buffering costs about 1.5× the compressions themselves on this workload (SHA-NI); composing
//! the padding here removes that overhead. The SHA compression functions are the RustCrypto
//! `sha1` and `sha2` crates'; the `hmac` crate is the test oracle (this module's tests).

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroize;

use crate::params::Algorithm;

/// A hash function seen through its compression function.
trait BlockHash {
    /// The chaining state.
    type State: Copy + Zeroize;
    /// One message block.
    type Block: Copy + AsRef<[u8]> + AsMut<[u8]> + Zeroize;
    /// A block of zeros.
    const ZERO_BLOCK: Self::Block;
    /// The initial chaining state (FIPS 180-4 §5.3).
    const IV: Self::State;
    /// Block length in bytes.
    const BLOCK_LEN: usize;
    /// Output length in bytes.
    const OUT_LEN: usize;

    /// Compresses `block` into `state`.
    fn compress(state: &mut Self::State, block: &Self::Block);
    /// Writes the state big-endian into the first `OUT_LEN` bytes of `out`.
    fn write_state(state: &Self::State, out: &mut [u8]);
    /// Hashes a key longer than a block (RFC 2104 §2) into the first `OUT_LEN` bytes of `out`.
    fn hash_key(key: &[u8], out: &mut [u8]);
}

struct UseSha1;
struct UseSha256;
struct UseSha512;

impl BlockHash for UseSha1 {
    type State = [u32; 5];
    type Block = [u8; 64];
    const ZERO_BLOCK: Self::Block = [0; 64];
    const IV: Self::State = [
        0x6745_2301,
        0xefcd_ab89,
        0x98ba_dcfe,
        0x1032_5476,
        0xc3d2_e1f0,
    ];
    const BLOCK_LEN: usize = 64;
    const OUT_LEN: usize = 20;

    #[inline(always)]
    fn compress(state: &mut Self::State, block: &Self::Block) {
        sha1::block_api::compress(state, core::slice::from_ref(block));
    }

    #[inline(always)]
    fn write_state(state: &Self::State, out: &mut [u8]) {
        for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
    }

    fn hash_key(key: &[u8], out: &mut [u8]) {
        out[..Self::OUT_LEN].copy_from_slice(&Sha1::digest(key));
    }
}

impl BlockHash for UseSha256 {
    type State = [u32; 8];
    type Block = [u8; 64];
    const ZERO_BLOCK: Self::Block = [0; 64];
    const IV: Self::State = [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];
    const BLOCK_LEN: usize = 64;
    const OUT_LEN: usize = 32;

    #[inline(always)]
    fn compress(state: &mut Self::State, block: &Self::Block) {
        sha2::block_api::compress256(state, core::slice::from_ref(block));
    }

    #[inline(always)]
    fn write_state(state: &Self::State, out: &mut [u8]) {
        for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
    }

    fn hash_key(key: &[u8], out: &mut [u8]) {
        out[..Self::OUT_LEN].copy_from_slice(&Sha256::digest(key));
    }
}

impl BlockHash for UseSha512 {
    type State = [u64; 8];
    type Block = [u8; 128];
    const ZERO_BLOCK: Self::Block = [0; 128];
    const IV: Self::State = [
        0x6a09_e667_f3bc_c908,
        0xbb67_ae85_84ca_a73b,
        0x3c6e_f372_fe94_f82b,
        0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1,
        0x9b05_688c_2b3e_6c1f,
        0x1f83_d9ab_fb41_bd6b,
        0x5be0_cd19_137e_2179,
    ];
    const BLOCK_LEN: usize = 128;
    const OUT_LEN: usize = 64;

    #[inline(always)]
    fn compress(state: &mut Self::State, block: &Self::Block) {
        sha2::block_api::compress512(state, core::slice::from_ref(block));
    }

    #[inline(always)]
    fn write_state(state: &Self::State, out: &mut [u8]) {
        for (chunk, word) in out.chunks_exact_mut(8).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
    }

    fn hash_key(key: &[u8], out: &mut [u8]) {
        out[..Self::OUT_LEN].copy_from_slice(&Sha512::digest(key));
    }
}

/// The two chaining states after the key blocks: secret-equivalent, wiped on drop.
struct Pads<H: BlockHash> {
    inner: H::State,
    outer: H::State,
}

impl<H: BlockHash> Pads<H> {
    fn new(key: &[u8]) -> Self {
        let mut block = H::ZERO_BLOCK;
        if key.len() > H::BLOCK_LEN {
            H::hash_key(key, block.as_mut());
        } else {
            block.as_mut()[..key.len()].copy_from_slice(key);
        }
        block.as_mut().iter_mut().for_each(|b| *b ^= 0x36);
        let mut inner = H::IV;
        H::compress(&mut inner, &block);
        block.as_mut().iter_mut().for_each(|b| *b ^= 0x36 ^ 0x5c);
        let mut outer = H::IV;
        H::compress(&mut outer, &block);
        block.zeroize();
        Self { inner, outer }
    }

    /// HMAC of each 8-byte big-endian message, as the outer chaining states (the HMAC values
    /// as words), for up to `N` messages.
    ///
    /// The work is done in phases: build every block of a phase, then compress them all.
    /// The compression's 16-byte loads of a block just built from narrower stores must wait
    /// for those stores to reach the cache (a failed store-to-load forwarding); step by step,
    /// that wait and the inner-to-outer dependency added about 30 ns to each step with SHA-NI.
    /// In phases, the waits of one phase overlap and the steps of a phase are independent, so
    /// a step costs what its two compressions cost (`benches/otp_verify.rs`). Nothing is
    /// allocated, and the blocks are not wiped: they hold HMAC values of the window's steps,
    /// not the key, and wiping them costs more than the compressions.
    #[inline(always)]
    fn mac_batch<const N: usize>(&self, messages: &[u64]) -> [H::State; N] {
        let n = messages.len().min(N);
        let len = H::BLOCK_LEN;
        // Inner blocks: message, the 0x80 terminator, zeros, the bit length of key block +
        // message.
        let mut inner_blocks = [H::ZERO_BLOCK; N];
        for (block, message) in inner_blocks.iter_mut().zip(messages) {
            let b = block.as_mut();
            b[..8].copy_from_slice(&message.to_be_bytes());
            b[8] = 0x80;
            b[len - 8..].copy_from_slice(&bit_len(len + 8).to_be_bytes());
        }
        // Outer blocks: the inner digest (below), terminator, zeros, bit length of key block +
        // digest. Their padding is written now, while the inner blocks' stores retire.
        let mut outer_blocks = [H::ZERO_BLOCK; N];
        for block in &mut outer_blocks[..n] {
            let b = block.as_mut();
            b[H::OUT_LEN] = 0x80;
            b[len - 8..].copy_from_slice(&bit_len(len + H::OUT_LEN).to_be_bytes());
        }
        let mut states = [self.inner; N];
        for (state, block) in states[..n].iter_mut().zip(&inner_blocks) {
            H::compress(state, block);
        }
        for (block, inner) in outer_blocks[..n].iter_mut().zip(&states) {
            H::write_state(inner, &mut block.as_mut()[..H::OUT_LEN]);
        }
        let mut outs = [self.outer; N];
        for (state, block) in outs[..n].iter_mut().zip(&outer_blocks) {
            H::compress(state, block);
        }
        outs
    }

    /// RFC 4226 §5.3–5.4 dynamic truncation of the HMAC of each message: the low 4 bits of
    /// the last byte select 4 bytes, whose top bit is dropped.
    #[inline(always)]
    fn truncated_batch<const N: usize>(&self, messages: &[u64], values: &mut [u32; N]) {
        let states = self.mac_batch::<N>(messages);
        for (value, state) in values.iter_mut().zip(&states).take(messages.len()) {
            let mut out = [0u8; 64];
            H::write_state(state, &mut out[..H::OUT_LEN]);
            let offset = usize::from(out[H::OUT_LEN - 1] & 0x0f);
            let word = [
                out[offset],
                out[offset + 1],
                out[offset + 2],
                out[offset + 3],
            ];
            *value = u32::from_be_bytes(word) & 0x7fff_ffff;
        }
    }
}

impl<H: BlockHash> Drop for Pads<H> {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl<H: BlockHash> Clone for Pads<H> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner,
            outer: self.outer,
        }
    }
}

/// A message length in bits, for the padding of a block that is at most 192 bytes into the hash.
const fn bit_len(bytes: usize) -> u64 {
    (bytes as u64) * 8
}

/// A key ready for HOTP: HMAC with the key blocks already absorbed.
#[derive(Clone)]
pub(crate) struct KeyedHmac(Keyed);

#[derive(Clone)]
enum Keyed {
    Sha1(Pads<UseSha1>),
    Sha256(Pads<UseSha256>),
    Sha512(Pads<UseSha512>),
}

impl KeyedHmac {
    /// Absorbs `key` for `algorithm`: two compressions (three when the key is longer than a block).
    pub(crate) fn new(algorithm: Algorithm, key: &[u8]) -> Self {
        Self(match algorithm {
            Algorithm::Sha1 => Keyed::Sha1(Pads::new(key)),
            Algorithm::Sha256 => Keyed::Sha256(Pads::new(key)),
            Algorithm::Sha512 => Keyed::Sha512(Pads::new(key)),
        })
    }

    /// The HOTP values of RFC 4226 §5.3 before reduction, for up to `N` moving factors:
    /// HMAC of each, dynamically truncated to 31 bits, written to `values[..factors.len()]`.
    #[inline]
    pub(crate) fn truncated_batch<const N: usize>(&self, factors: &[u64], values: &mut [u32; N]) {
        debug_assert!(factors.len() <= N);
        match &self.0 {
            Keyed::Sha1(p) => p.truncated_batch(factors, values),
            Keyed::Sha256(p) => p.truncated_batch(factors, values),
            Keyed::Sha512(p) => p.truncated_batch(factors, values),
        }
    }

    /// The HOTP value of one moving factor before reduction.
    pub(crate) fn truncated(&self, moving_factor: u64) -> u32 {
        let mut values = [0; 1];
        self.truncated_batch(&[moving_factor], &mut values);
        values[0]
    }

    /// The full HMAC of an 8-byte message, for the oracle tests.
    #[cfg(test)]
    pub(crate) fn full_mac(&self, message: u64) -> Vec<u8> {
        fn bytes<H: BlockHash>(p: &Pads<H>, message: u64) -> Vec<u8> {
            let states = p.mac_batch::<1>(&[message]);
            let mut out = vec![0u8; H::OUT_LEN];
            H::write_state(&states[0], &mut out);
            out
        }
        match &self.0 {
            Keyed::Sha1(p) => bytes(p, message),
            Keyed::Sha256(p) => bytes(p, message),
            Keyed::Sha512(p) => bytes(p, message),
        }
    }
}

crate::redacted_debug!(KeyedHmac);

#[cfg(test)]
mod tests {
    use hmac::{Hmac, KeyInit, Mac};
    use proptest::prelude::*;

    use super::*;

    /// Deterministic by default (a fixed seed); set `PROPTEST_RNG_SEED` to explore other cases.
    fn config() -> ProptestConfig {
        tollgate_test_kit::proptest_config(256, 0x70_11_6a_7e)
    }

    fn oracle(algorithm: Algorithm, key: &[u8], message: u64) -> Vec<u8> {
        let m = message.to_be_bytes();
        match algorithm {
            Algorithm::Sha1 => {
                let mut mac = Hmac::<Sha1>::new_from_slice(key).unwrap();
                mac.update(&m);
                mac.finalize().into_bytes().to_vec()
            }
            Algorithm::Sha256 => {
                let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
                mac.update(&m);
                mac.finalize().into_bytes().to_vec()
            }
            Algorithm::Sha512 => {
                let mut mac = Hmac::<Sha512>::new_from_slice(key).unwrap();
                mac.update(&m);
                mac.finalize().into_bytes().to_vec()
            }
        }
    }

    fn algorithm() -> impl Strategy<Value = Algorithm> {
        prop_oneof![
            Just(Algorithm::Sha1),
            Just(Algorithm::Sha256),
            Just(Algorithm::Sha512)
        ]
    }

    proptest! {
    #![proptest_config(config())]

        /// Keys of every length class: empty, shorter than a block, exactly a block, longer
        /// (hashed first, RFC 2104 §2).
        #[test]
        fn matches_the_hmac_crate(
            algorithm in algorithm(),
            key in proptest::collection::vec(any::<u8>(), 0..300),
            message in any::<u64>(),
        ) {
            let keyed = KeyedHmac::new(algorithm, &key);
            prop_assert_eq!(keyed.full_mac(message), oracle(algorithm, &key, message));
        }
    }

    #[test]
    fn block_length_keys_match_the_hmac_crate() {
        for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
            for len in [63, 64, 65, 127, 128, 129] {
                let key: Vec<u8> = (0..=u8::MAX).cycle().take(len).collect();
                let keyed = KeyedHmac::new(algorithm, &key);
                assert_eq!(
                    keyed.full_mac(7),
                    oracle(algorithm, &key, 7),
                    "{algorithm} {len}"
                );
            }
        }
    }
}
