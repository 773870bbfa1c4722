//! The notice editor's catalog of the Global Vendor List (`GET /v1/admin/sites/{site}/tcf/vendors`):
//! every vendor of the list in use with what it asks for, for the site's people only; a clear
//! 503 when TCF is off on the server.

use crate::admin::{send, token_of};
use crate::admin_subjects::member;
use crate::gvl::{admin, in_use, tcf};
use crate::gvl_fixture::{GvlServer, LIST, VERSION};
use crate::helpers::{Backend, error_code, spawn_app, spawn_app_with};
use crate::on_both_backends;
use reqwest::Method;
use serde_json::Value;

on_both_backends!(
    the_catalog_lists_every_vendor_of_the_list_in_use_for_the_sites_people,
    without_tcf_on_the_server_the_catalog_says_so,
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
    assert_eq!(error_code(res, 503).await, "tcf_not_configured");
}
