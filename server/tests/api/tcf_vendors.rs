//! What the notice editor's TCF section relies on: the catalog of the Global Vendor List
//! (`GET /v1/admin/sites/{site}/tcf/vendors`) — every vendor and stack of the list in use, for
//! the site's people only, a clear 503 when TCF is off on the server — and publishing a notice
//! with publisher restrictions and stacks, checked against the list.

use crate::admin::{send, token_of};
use crate::admin_subjects::member;
use crate::gvl::{admin, in_use, publish_section, tcf};
use crate::gvl_fixture::{GvlServer, LIST, VERSION};
use crate::helpers::{Backend, error_code, spawn_app, spawn_app_with};
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    the_catalog_lists_every_vendor_of_the_list_in_use_for_the_sites_people,
    without_tcf_on_the_server_the_catalog_says_so,
    restrictions_and_stacks_publish_only_as_the_policy_and_the_list_allow,
);

const PATH: &str = "/v1/admin/sites/demo/tcf/vendors";

async fn the_catalog_lists_every_vendor_of_the_list_in_use_for_the_sites_people(backend: Backend) {
    let gvl = GvlServer::start().await;
    let app = spawn_app_with(backend, tcf(&gvl)).await;
    let admin = admin(&app).await;
    in_use(&app, &admin, VERSION).await;
    let viewer = member(&app, &admin, "viewer@example.com", "viewer").await;

    let res = send(&app, Method::GET, PATH, Some(&viewer), None).await;
    assert_eq!(res.status(), 200);
    let catalog: Value = res.json().await.expect("catalog JSON");
    let list: Value = serde_json::from_str(LIST).expect("fixture");
    assert_eq!(catalog["vendor_list_version"], list["vendorListVersion"]);
    let mut want: Vec<u64> = list["vendors"]
        .as_object()
        .expect("vendors")
        .keys()
        .map(|k| k.parse().expect("id"))
        .collect();
    want.sort_unstable();
    let vendors = catalog["vendors"].as_array().expect("vendors");
    let got: Vec<u64> = vendors.iter().map(|v| v["id"].as_u64().expect("id")).collect();
    assert_eq!(got, want, "every vendor, by ascending id");
    for v in vendors {
        let source = &list["vendors"][v["id"].to_string()];
        assert_eq!(v["name"], source["name"]);
        assert_eq!(v["purposes"], source["purposes"]);
        assert_eq!(v["leg_int_purposes"], source["legIntPurposes"]);
        assert_eq!(v["deleted"], source.get("deletedDate").is_some(), "vendor {}", v["id"]);
    }
    assert!(
        vendors.iter().any(|v| v["deleted"] == true),
        "the fixture's deleted vendor is marked"
    );
    let purposes = catalog["purposes"].as_array().expect("purposes");
    assert_eq!(purposes.len(), list["purposes"].as_object().expect("purposes").len());
    for p in purposes {
        assert_eq!(
            p["name"],
            list["purposes"][p["id"].to_string()]["name"],
            "purpose {}",
            p["id"]
        );
    }

    let stacks: Vec<u64> = catalog["stacks"]
        .as_array()
        .expect("stacks")
        .iter()
        .map(|s| s["id"].as_u64().expect("id"))
        .collect();
    assert_eq!(stacks.len(), list["stacks"].as_object().expect("stacks").len());
    for s in catalog["stacks"].as_array().expect("stacks") {
        assert_eq!(s["purposes"], list["stacks"][s["id"].to_string()]["purposes"]);
    }

    // Only the site's people: an account without a role on it, and no session at all.
    crate::admin::create_account(&app, "stranger@example.com", false).await;
    let stranger = token_of(&app, "stranger@example.com").await;
    assert_eq!(
        error_code(send(&app, Method::GET, PATH, Some(&stranger), None).await, 403).await,
        "forbidden"
    );
    assert_eq!(
        error_code(send(&app, Method::GET, PATH, None, None).await, 401).await,
        "unauthorized"
    );
}

async fn without_tcf_on_the_server_the_catalog_says_so(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = admin(&app).await;
    let res = send(&app, Method::GET, PATH, Some(&admin), None).await;
    assert!(
        res.headers().get("retry-after").is_none(),
        "a setting: nothing to retry"
    );
    assert_eq!(error_code(res, 409).await, "conflict");
}

/// The refusal's `details.field` and reason.
async fn refused(res: reqwest::Response) -> (String, String) {
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.expect("error JSON");
    let details = &body["error"]["details"];
    (
        details["field"].as_str().expect("field").to_owned(),
        details["reason"].as_str().expect("reason").to_owned(),
    )
}

async fn restrictions_and_stacks_publish_only_as_the_policy_and_the_list_allow(backend: Backend) {
    let gvl = GvlServer::start().await;
    let app = spawn_app_with(backend, tcf(&gvl)).await;
    let admin = admin(&app).await;
    in_use(&app, &admin, VERSION).await;
    let restriction = |purpose: u8, restriction: &str, vendors: &[u16]| json!({ "purpose": purpose, "restriction": restriction, "vendors": vendors });

    // The fixture's stacks 2 and 3 both hold purposes 2 and 7; stack 99 is not on the list.
    let (field, reason) =
        refused(publish_section(&app, &admin, json!({ "vendors": [2, 8], "stacks": [2, 3] })).await).await;
    assert_eq!(field, "tcf.stacks[1]");
    assert!(reason.contains("purpose 2"), "{reason}");
    let (field, reason) =
        refused(publish_section(&app, &admin, json!({ "vendors": [2, 8], "stacks": [99] })).await).await;
    assert_eq!(field, "tcf.stacks[0]");
    assert!(reason.contains("not on the Global Vendor List"), "{reason}");
    // Purpose 3 (a profile for ads) may not rest on legitimate interest; vendor 15 is not declared.
    let li =
        json!({ "vendors": [2, 8], "publisher_restrictions": [restriction(3, "require_legitimate_interest", &[2])] });
    let (field, _) = refused(publish_section(&app, &admin, li).await).await;
    assert_eq!(field, "tcf.publisher_restrictions[0].restriction");
    let undeclared = json!({ "vendors": [2, 8], "publisher_restrictions": [restriction(2, "not_allowed", &[15])] });
    let (field, _) = refused(publish_section(&app, &admin, undeclared).await).await;
    assert_eq!(field, "tcf.publisher_restrictions[0].vendors[0]");
    assert_eq!(
        app.notice("en").await.notice.version,
        1,
        "nothing refused was published"
    );

    // Stack 1 holds special feature 2, which neither vendor 2 nor 8 uses: the banner could
    // not show it. Vendor 8 does not use purpose 2, and declares no purpose flexible.
    let (field, reason) =
        refused(publish_section(&app, &admin, json!({ "vendors": [2, 8], "stacks": [1] })).await).await;
    assert_eq!(field, "tcf.stacks[0]");
    assert!(reason.contains("none of the declared vendors"), "{reason}");
    for (kind, purpose) in [("not_allowed", 2), ("require_consent", 8)] {
        let pointless = json!({ "vendors": [2, 8], "publisher_restrictions": [restriction(purpose, kind, &[8])] });
        let (field, reason) = refused(publish_section(&app, &admin, pointless).await).await;
        assert_eq!(field, "tcf.publisher_restrictions[0].vendors[0]", "{kind}");
        assert!(reason.contains("vendor 8"), "{reason}");
    }
    assert_eq!(
        app.notice("en").await.notice.version,
        1,
        "nothing refused was published"
    );

    let good = json!({
        "vendors": [2, 8],
        "publisher_restrictions": [restriction(8, "not_allowed", &[8]), restriction(7, "require_consent", &[2])],
        "stacks": [3, 5],
    });
    assert_eq!(publish_section(&app, &admin, good.clone()).await.status(), 200);
    let published = serde_json::to_value(app.notice("en").await.notice.tcf).expect("tcf");
    assert_eq!(published, good);
}
