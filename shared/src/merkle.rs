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

fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Root over leaves already in the order the checkpoint lists them (by subject id).
pub fn root(leaves: &[[u8; 32]]) -> [u8; 32] {
    let mut builder = RootBuilder::default();
    leaves.iter().for_each(|leaf| builder.push(*leaf));
    builder.finish()
}

/// The same root as [`root`], from leaves given one at a time: holds one subtree root per
/// set bit of the count so far (at most 64), so a checkpoint over millions of chain heads is
/// computed from a stream of them in constant memory.
#[derive(Debug, Default, Clone)]
pub struct RootBuilder {
    /// Complete subtrees, largest first, with their leaf counts (distinct powers of two).
    stack: Vec<(u64, [u8; 32])>,
    count: u64,
}

impl RootBuilder {
    /// Adds the next leaf.
    pub fn push(&mut self, leaf: [u8; 32]) {
        self.count += 1;
        let mut carry = (1u64, leaf);
        while let Some(&(size, left)) = self.stack.last() {
            if size != carry.0 {
                break;
            }
            self.stack.pop();
            carry = (size * 2, node(&left, &carry.1));
        }
        self.stack.push(carry);
    }

    /// How many leaves were pushed.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether no leaf was pushed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The root: RFC 6962 joins the complete subtrees from the right, the smallest first.
    pub fn finish(mut self) -> [u8; 32] {
        let Some((_, mut acc)) = self.stack.pop() else {
            return Sha256::digest([]).into();
        };
        while let Some((_, left)) = self.stack.pop() {
            acc = node(&left, &acc);
        }
        acc
    }
}

/// The recursive definition (RFC 6962 section 2.1), kept as the reference the builder is
/// tested against.
#[cfg(test)]
fn reference_root(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let split = n.next_power_of_two() / 2;
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(reference_root(&leaves[..split]));
            h.update(reference_root(&leaves[split..]));
            h.finalize().into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_leaves_split_two_and_one() {
        let leaves = [head_leaf("a", 1, "x"), head_leaf("b", 2, "y"), head_leaf("c", 3, "z")];
        assert_eq!(root(&leaves), node(&node(&leaves[0], &leaves[1]), &leaves[2]));
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
    fn the_streamed_root_is_the_recursive_one_for_every_size_up_to_300() {
        let leaves: Vec<[u8; 32]> = (0..300u64).map(|i| head_leaf("s", i, "h")).collect();
        for n in 0..=leaves.len() {
            assert_eq!(root(&leaves[..n]), reference_root(&leaves[..n]), "{n} leaves");
        }
    }

    #[test]
    fn the_leaf_encoding_is_frozen() {
        assert_eq!(
            hex::encode(head_leaf("s", 7, "ab")),
            hex::encode(Sha256::digest(b"\x00s\x007\x00ab"))
        );
    }
}
