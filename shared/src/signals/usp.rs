//! The legacy `us_privacy` string (CCPA, deprecated by IAB, still read by some vendors).

/// `1` + notice given + opted out of sale + covered by the LSPA, each `Y`, `N` or `-`;
/// `1---` where the framework does not apply.
pub fn us_privacy(applies: bool, notice_given: bool, opted_out: bool, lspa_covered: Option<bool>) -> String {
    if !applies {
        return "1---".into();
    }
    let yn = |b: bool| if b { 'Y' } else { 'N' };
    let lspa = lspa_covered.map_or('-', yn);
    format!("1{}{}{lspa}", yn(notice_given), yn(opted_out))
}

#[cfg(test)]
mod tests {
    use super::us_privacy;

    #[test]
    fn strings_have_the_1ynn_shape() {
        assert_eq!(us_privacy(true, true, false, Some(false)), "1YNN");
        assert_eq!(us_privacy(true, true, true, None), "1YY-");
        assert_eq!(us_privacy(false, true, true, Some(true)), "1---");
    }
}
