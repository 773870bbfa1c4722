//! The operator's TCF settings, checked at start-up with errors naming the setting.

use crate::config::Config;
use anyhow::bail;
use assent_shared::tcf_api::CmpIdentity;

/// IAB's Global Vendor List, format version 3 (TCF 2.2 and later).
pub const IAB_GVL_URL: &str = "https://vendor-list.consensu.org/v3/";

/// The demo's CMP id: the highest the 12-bit field holds, assigned to no one. TC strings
/// carrying it are for trying Assent out; real ones need the operator's own registered id.
pub const PLACEHOLDER_CMP_ID: u16 = 4095;

/// The longest refresh interval: IAB publishes the list weekly.
const MAX_REFRESH_SECS: u64 = 7 * 24 * 3600;

/// The CMP this server writes TC strings as, or `None` when TCF is off (`tcf_cmp_id` unset).
pub fn cmp(config: &Config) -> Option<CmpIdentity> {
    config.tcf_cmp_id.map(|id| CmpIdentity {
        id,
        version: config.tcf_cmp_version,
        placeholder: id == PLACEHOLDER_CMP_ID,
    })
}

/// Checks the `tcf_*` settings.
pub(crate) fn check(config: &Config) -> anyhow::Result<()> {
    if let Some(id) = config.tcf_cmp_id
        && !(2..=4095).contains(&id)
    {
        bail!(
            "tcf_cmp_id must be 2 to 4095: the CMP id IAB Europe assigned to you (TC string field CmpId, 12 bits; IAB's library refuses 0 and 1)"
        );
    }
    if config.tcf_cmp_version > 4095 {
        bail!("tcf_cmp_version must be 0 to 4095 (TC string field CmpVersion, 12 bits)");
    }
    let cc = config.tcf_publisher_cc.as_bytes();
    if cc.len() != 2 || !cc.iter().all(u8::is_ascii_uppercase) {
        bail!("tcf_publisher_cc must be two letters: the publisher's ISO 3166-1 alpha-2 country code (AA if unknown)");
    }
    if config.tcf_gvl_refresh_secs > MAX_REFRESH_SECS {
        bail!("tcf_gvl_refresh_secs must be 0 to {MAX_REFRESH_SECS} (a week; IAB publishes the list weekly)");
    }
    if !config.tcf_gvl_url.ends_with('/') {
        bail!(
            "tcf_gvl_url must be a directory URL ending in / (vendor-list.json and purposes-xx.json are fetched under it)"
        );
    }
    if let Err(refused) = crate::webhooks::net::check_url(&config.tcf_gvl_url, config.tcf_gvl_allow_private_networks) {
        let reason = refused
            .reason
            .replace("webhooks go to", "the list is fetched from")
            .replace(
                "ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS",
                "ASSENT_TCF_GVL_ALLOW_PRIVATE_NETWORKS",
            );
        bail!("tcf_gvl_url: {reason}");
    }
    if config.tcf_gvl_url.contains('?') {
        bail!("tcf_gvl_url must have no query: file names are appended to it");
    }
    Ok(())
}

#[cfg(test)]
#[expect(clippy::result_large_err, reason = "figment::Jail fixes its closures' error type")]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn tcf_is_off_by_default_and_reads_iab_s_list() {
        let c = Config::default();
        assert_eq!(cmp(&c), None);
        assert_eq!(c.tcf_gvl_url, IAB_GVL_URL);
        assert!(check(&c).is_ok());
    }

    #[test]
    fn each_tcf_setting_is_checked_and_named() {
        Jail::expect_with(|jail| {
            jail.set_env("ASSENT_TCF_CMP_ID", "300");
            jail.set_env("ASSENT_TCF_PUBLISHER_CC", "fr");
            let c = Config::load(None).expect("valid");
            assert_eq!(
                cmp(&c),
                Some(CmpIdentity {
                    id: 300,
                    version: 1,
                    placeholder: false
                })
            );
            assert_eq!(c.tcf_publisher_cc, "FR");
            for (name, value, named) in [
                ("ASSENT_TCF_CMP_ID", "1", "tcf_cmp_id"),
                ("ASSENT_TCF_CMP_ID", "4096", "tcf_cmp_id"),
                ("ASSENT_TCF_CMP_VERSION", "5000", "tcf_cmp_version"),
                ("ASSENT_TCF_PUBLISHER_CC", "FRA", "tcf_publisher_cc"),
                ("ASSENT_TCF_GVL_REFRESH_SECS", "9999999", "tcf_gvl_refresh_secs"),
                ("ASSENT_TCF_GVL_URL", "https://gvl.example/v3", "tcf_gvl_url"),
                ("ASSENT_TCF_GVL_URL", "ftp://gvl.example/v3/", "tcf_gvl_url"),
            ] {
                jail.clear_env();
                jail.set_env(name, value);
                let err = Config::load(None).expect_err(value).to_string();
                assert!(err.contains(named), "{name}={value}: {err}");
            }
            Ok(())
        });
    }

    /// A list on this machine or the intranet is refused unless the operator allows it.
    #[test]
    fn a_loopback_list_needs_the_private_networks_setting() {
        Jail::expect_with(|jail| {
            jail.set_env("ASSENT_TCF_GVL_URL", "http://127.0.0.1:9/v3/");
            let err = Config::load(None).expect_err("loopback").to_string();
            assert!(
                err.contains("tcf_gvl_url") && err.contains("ASSENT_TCF_GVL_ALLOW_PRIVATE_NETWORKS"),
                "{err}"
            );
            jail.set_env("ASSENT_TCF_GVL_ALLOW_PRIVATE_NETWORKS", "1");
            assert!(Config::load(None).is_ok());
            Ok(())
        });
    }
}
