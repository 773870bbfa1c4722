//! Merkle roots over a site's chain heads, for signed checkpoints (RFC 6962 tree shape:
//! leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right), split at the largest
//! power of two below the size). **Frozen**, like the canonical bytes.

use sha2::{Digest, Sha256};

/// One chain's head as a checkpoint records it.
pub fn head_leaf(subject_id: &str, seq: u64, hash: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(subject_id.as_bytes());
    h.update([0u8]);
    h.update(seq.to_string().as_bytes());
    h.update([0u8]);
    h.update(hash.as_bytes());
    h.finalize().into()
}

/// Root over leaves already in the order the checkpoint lists them (by subject id).
pub fn root(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let split = n.next_power_of_two() / 2;
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(root(&leaves[..split]));
            h.update(root(&leaves[split..]));
            h.finalize().into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(l: [u8; 32], r: [u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(l);
        h.update(r);
        h.finalize().into()
    }

    #[test]
    fn three_leaves_split_two_and_one() {
        let leaves = [head_leaf("a", 1, "x"), head_leaf("b", 2, "y"), head_leaf("c", 3, "z")];
        assert_eq!(root(&leaves), node(node(leaves[0], leaves[1]), leaves[2]));
    }

    #[test]
    fn any_change_to_a_head_changes_the_root() {
        let base = [head_leaf("a", 1, "x"), head_leaf("b", 2, "y")];
        let moved = [head_leaf("a", 1, "x"), head_leaf("b", 3, "y")];
        let dropped = [head_leaf("a", 1, "x")];
        assert_ne!(root(&base), root(&moved));
        assert_ne!(root(&base), root(&dropped));
    }

    #[test]
    fn the_leaf_encoding_is_frozen() {
        assert_eq!(
            hex::encode(head_leaf("s", 7, "ab")),
            hex::encode(Sha256::digest(b"\x00s\x007\x00ab"))
        );
    }
}
