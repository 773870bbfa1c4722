//! The starter notice every new site gets as version 1, so its banner works at once: the
//! purposes of the policy Assent is modelled on (the demo's), in all seven languages, with
//! the site's name in the texts and no vendors (every site declares its own). The site is
//! flagged "starter — review before going live" until an owner publishes a reviewed version.

use crate::routes::demo::{DEMO_NOTICE, DEMO_SITE_NAME};
use anyhow::Context;
use assent_shared::notice::Notice;
use serde_json::Value;

/// The starter notice for a site called `name` whose policy lives at `policy_url`.
pub fn starter_notice(name: &str, policy_url: &str) -> anyhow::Result<Notice> {
    let mut value: Value = serde_json::from_str(DEMO_NOTICE).context("parsing the demo notice")?;
    rename(&mut value, name);
    value["version"] = 1.into();
    value["policy_url"] = policy_url.into();
    if let Some(purposes) = value["purposes"].as_array_mut() {
        for p in purposes {
            p["vendors"] = Value::Array(Vec::new());
        }
    }
    let notice: Notice = serde_json::from_value(value).context("building the starter notice")?;
    notice.validate().context("validating the starter notice")?;
    Ok(notice)
}

/// Puts the site's name where the demo's texts name the demo site.
fn rename(value: &mut Value, name: &str) {
    match value {
        Value::String(s) if s.contains(DEMO_SITE_NAME) => *s = s.replace(DEMO_SITE_NAME, name),
        Value::Array(items) => items.iter_mut().for_each(|v| rename(v, name)),
        Value::Object(map) => map.values_mut().for_each(|v| rename(v, name)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_notice_names_the_site_and_declares_no_vendors() {
        let notice = starter_notice("Shop & Co", "https://shop.example/privacy").expect("starter");
        assert_eq!(notice.version, 1);
        assert_eq!(notice.policy_url, "https://shop.example/privacy");
        let text = serde_json::to_string(&notice).expect("json");
        assert!(!text.contains(DEMO_SITE_NAME), "the demo's name is left in the texts");
        assert!(notice.texts["en"].body.contains("Shop & Co"));
        assert!(notice.purposes.iter().all(|p| p.vendors.is_empty()));
        let demo: Notice = serde_json::from_str(DEMO_NOTICE).expect("demo");
        let keys = |n: &Notice| n.purposes.iter().map(|p| p.key.to_string()).collect::<Vec<_>>();
        assert_eq!(keys(&notice), keys(&demo));
        assert_eq!(notice.texts.len(), demo.texts.len(), "every language of the demo");
    }
}
