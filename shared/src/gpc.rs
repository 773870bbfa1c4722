//! Global Privacy Control semantics (W3C GPC).

/// `Sec-GPC` counts only when its value is `1`; whitespace around a field value is not part
/// of it (RFC 9110 §5.5). With several `Sec-GPC` headers, any `1` counts.
pub fn sec_gpc_enabled<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> bool {
    values.into_iter().any(|v| v.trim_ascii() == b"1")
}

#[cfg(test)]
mod tests {
    use super::sec_gpc_enabled;

    #[test]
    fn only_the_value_one_counts() {
        let cases: [(&[&[u8]], bool); 8] = [
            (&[b"1"], true),
            (&[b" 1 "], true),
            (&[b"\t1"], true),
            (&[b"true"], false),
            (&[b"0"], false),
            (&[b"yes"], false),
            (&[b"0", b"1"], true),
            (&[], false),
        ];
        for (values, want) in cases {
            assert_eq!(sec_gpc_enabled(values.iter().copied()), want, "{values:?}");
        }
    }
}
