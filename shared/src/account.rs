//! One choice across a signed-in user's devices: what a linked account's current choice is,
//! and what one device adopts of it (`POST /v1/sites/{site}/sync`). Pure — events, notice
//! and time in, decisions out; the server reads the chains and records the sync.
//!
//! The rule (DESIGN, "The privacy-settings page"): the most recent explicit choice wins,
//! per purpose. An expiry, a dismissed banner or a sync never beats an explicit choice,
//! however recent (see [`Method::is_explicit`](crate::consent::Method::is_explicit)).

use crate::api::{AccountDecision, CurrentDecision};
use crate::consent::{ConsentEvent, DEFAULT_LIFETIME_DAYS, Decision, Decisions, REFUSAL_KEPT_DAYS};
use crate::ids::PurposeKey;
use crate::notice::{LegalBasis, LocalizedNotice, LocalizedPurpose};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Per purpose, the decision an account holds.
pub type AccountDecisions = BTreeMap<PurposeKey, AccountDecision>;

/// The account's current choice from `events`, the chains of every subject linked to it:
/// per purpose, the decision of the most recent explicit event that decided it. Events under
/// a notice version before `valid_from` (a material change since) do not count: those
/// choices are asked for again anyway.
///
/// Order is `recorded_at` (the server writes one fixed UTC format, so the strings sort in
/// time order), then subject id and `seq`, so two devices deciding in the same millisecond
/// still give one stable answer.
pub fn latest_explicit<'a>(events: impl IntoIterator<Item = &'a ConsentEvent>, valid_from: u32) -> AccountDecisions {
    let mut explicit: Vec<&ConsentEvent> = events
        .into_iter()
        .filter(|e| e.method.is_explicit() && e.notice_version >= valid_from)
        .collect();
    explicit.sort_by(|a, b| {
        (a.recorded_at.as_str(), a.subject_id.as_str(), a.seq).cmp(&(
            b.recorded_at.as_str(),
            b.subject_id.as_str(),
            b.seq,
        ))
    });
    let mut account = AccountDecisions::new();
    for event in explicit {
        for (key, decision) in &event.decisions {
            account.insert(
                key.clone(),
                AccountDecision {
                    decision: *decision,
                    decided_at: event.recorded_at.clone(),
                },
            );
        }
    }
    account
}

/// What a device shown `notice` adopts of the account's decisions at `now`: the purposes of
/// that notice that take a decision, while the decision still counts.
///
/// - A consent counts for its purpose's `lifetime_days` (default [`DEFAULT_LIFETIME_DAYS`])
///   and a refusal for [`REFUSAL_KEPT_DAYS`], counted from when it was made — a sync does
///   not make an old choice young again. Past that the device asks, as the banner would.
/// - An objection to a legitimate interest (or its withdrawal) holds until changed.
/// - On a device sending Global Privacy Control, a GPC-covered purpose is never adopted as
///   granted: the signal opts that browser out (CCPA regulations §7025(c)).
pub fn adoptable(
    notice: &LocalizedNotice,
    account: &AccountDecisions,
    gpc: bool,
    now: OffsetDateTime,
) -> AccountDecisions {
    account
        .iter()
        .filter(|(key, held)| {
            let Some(purpose) = notice.purpose(key) else {
                return false;
            };
            let takes_decision = !purpose.legal_basis.is_necessary();
            let opted_out_by_gpc = gpc && purpose.gpc_covered && held.decision == Decision::Granted;
            takes_decision && !opted_out_by_gpc && still_counts(purpose, held, now)
        })
        .map(|(key, held)| (key.clone(), held.clone()))
        .collect()
}

/// What a sync records on a device that `held` these decisions: each adopted decision that
/// differs, or that was made again elsewhere since the device last had it (a renewal, whose
/// lifetime counts from then). What the device already holds is not recorded again, so a
/// device in step with its account records nothing.
pub fn moves(adopted: &AccountDecisions, held: &BTreeMap<PurposeKey, CurrentDecision>) -> Decisions {
    adopted
        .iter()
        .filter(|(key, account)| {
            // RFC 3339 strings of the server's one format compare in time order.
            !held
                .get(*key)
                .is_some_and(|h| h.decision == account.decision && h.updated_at >= account.decided_at)
        })
        .map(|(key, account)| (key.clone(), account.decision))
        .collect()
}

fn still_counts(purpose: &LocalizedPurpose, held: &AccountDecision, now: OffsetDateTime) -> bool {
    if purpose.legal_basis != LegalBasis::Consent {
        return true;
    }
    let days = match held.decision {
        Decision::Granted => purpose.lifetime_days.unwrap_or(DEFAULT_LIFETIME_DAYS),
        Decision::Denied => REFUSAL_KEPT_DAYS,
    };
    OffsetDateTime::parse(&held.decided_at, &Rfc3339).is_ok_and(|at| now - at <= time::Duration::days(i64::from(days)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{Decisions, EVENT_SCHEMA_VERSION, Method, Source};
    use crate::ids::{EventId, SiteId, SubjectId};
    use crate::notice::Notice;
    use crate::regime::Regime;
    use time::macros::datetime;

    const A: &str = "0b6a8f5e-7c11-4c1e-a7a5-4c1f8d0f9e22";
    const B: &str = "7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6";

    fn key(k: &str) -> PurposeKey {
        PurposeKey::parse(k).expect("key")
    }

    fn event(subject: &str, seq: u64, at: &str, method: Method, decisions: &[(&str, Decision)]) -> ConsentEvent {
        ConsentEvent {
            schema_version: EVENT_SCHEMA_VERSION,
            event_id: EventId::parse(&format!("00000000-0000-4000-8000-{seq:012}")).expect("uuid"),
            site_id: SiteId::parse("demo").expect("site"),
            subject_id: SubjectId::parse(subject).expect("uuid"),
            seq,
            recorded_at: at.into(),
            client_time: None,
            notice_version: 1,
            notice_hash: "ab".repeat(32),
            banner_build: None,
            policy_version: "1".into(),
            jurisdiction: "DE".into(),
            regime: Regime::OptIn,
            method,
            source: Source::Banner,
            gpc: false,
            signal_source: None,
            decisions: decisions.iter().map(|(k, d)| (key(k), *d)).collect::<Decisions>(),
            language: "en".into(),
            ip_truncated: None,
            user_agent_hash: None,
            tcf: None,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn demo() -> LocalizedNotice {
        let notice: Notice =
            serde_json::from_str(include_str!("../../server/demo/notice.json")).expect("the demo notice parses");
        notice.localize(Some("en"))
    }

    fn held(decision: Decision, at: &str) -> AccountDecision {
        AccountDecision {
            decision,
            decided_at: at.into(),
        }
    }

    use Decision::{Denied, Granted};

    #[test]
    fn the_most_recent_explicit_choice_wins_per_purpose_across_devices() {
        let events = [
            event(
                A,
                1,
                "2026-01-01T10:00:00.000Z",
                Method::Save,
                &[("analytics", Granted), ("advertising", Denied)],
            ),
            event(
                B,
                1,
                "2026-02-01T10:00:00.000Z",
                Method::Withdraw,
                &[("analytics", Denied)],
            ),
            // Later, but not choices: an expiry, a dismissed banner, a copy made by a sync.
            event(
                A,
                2,
                "2026-03-01T10:00:00.000Z",
                Method::Expire,
                &[("advertising", Denied)],
            ),
            event(
                B,
                2,
                "2026-03-02T10:00:00.000Z",
                Method::Close,
                &[("functional", Denied)],
            ),
            event(
                B,
                3,
                "2026-03-03T10:00:00.000Z",
                Method::Sync,
                &[("advertising", Granted)],
            ),
        ];
        let account = latest_explicit(&events, 1);
        assert_eq!(
            account,
            AccountDecisions::from([
                (key("analytics"), held(Denied, "2026-02-01T10:00:00.000Z")),
                (key("advertising"), held(Denied, "2026-01-01T10:00:00.000Z")),
            ])
        );
    }

    #[test]
    fn choices_made_before_a_material_change_do_not_count() {
        let mut old = event(
            A,
            1,
            "2026-01-01T10:00:00.000Z",
            Method::AcceptAll,
            &[("analytics", Granted)],
        );
        old.notice_version = 1;
        let mut new = event(
            A,
            2,
            "2026-01-02T10:00:00.000Z",
            Method::Save,
            &[("functional", Granted)],
        );
        new.notice_version = 2;
        let account = latest_explicit([&old, &new], 2);
        assert_eq!(account.keys().collect::<Vec<_>>(), [&key("functional")]);
    }

    #[test]
    fn a_device_adopts_what_still_counts_for_the_purposes_of_its_notice() {
        let now = datetime!(2026-12-01 00:00 UTC);
        let account = AccountDecisions::from([
            (key("analytics"), held(Granted, "2026-06-01T00:00:00.000Z")),
            // A consent past its 365 days, a refusal past its 183: asked again.
            (key("functional"), held(Granted, "2025-11-30T00:00:00.000Z")),
            (key("advertising"), held(Denied, "2026-05-01T00:00:00.000Z")),
            // An objection holds until changed.
            (key("product_improvement"), held(Denied, "2020-01-01T00:00:00.000Z")),
            (
                key("marketing_communications"),
                held(Denied, "2026-11-01T00:00:00.000Z"),
            ),
            // Not a purpose that takes a decision, or not in this notice at all.
            (key("necessary"), held(Granted, "2026-11-01T00:00:00.000Z")),
            (key("retired_purpose"), held(Granted, "2026-11-01T00:00:00.000Z")),
        ]);
        let adopted = adoptable(&demo(), &account, false, now);
        assert_eq!(
            adopted.keys().map(PurposeKey::as_str).collect::<Vec<_>>(),
            ["analytics", "marketing_communications", "product_improvement"]
        );
        assert_eq!(adopted[&key("analytics")], account[&key("analytics")]);
    }

    #[test]
    fn a_sync_records_only_what_moves_on_the_device() {
        use crate::consent::ConsentState;
        let current = |decision, at: &str| CurrentDecision {
            decision,
            state: ConsentState::Given,
            event_id: String::new(),
            updated_at: at.into(),
        };
        let adopted = AccountDecisions::from([
            (key("analytics"), held(Granted, "2026-06-01T00:00:00.000Z")),
            (key("functional"), held(Granted, "2026-06-01T00:00:00.000Z")),
            (key("advertising"), held(Denied, "2026-06-01T00:00:00.000Z")),
            (
                key("marketing_communications"),
                held(Denied, "2026-06-01T00:00:00.000Z"),
            ),
        ]);
        let device = BTreeMap::from([
            // Held since the account's choice: in step.
            (key("analytics"), current(Granted, "2026-06-02T00:00:00.000Z")),
            // The same decision, but the account made it again since: a renewal.
            (key("functional"), current(Granted, "2026-05-01T00:00:00.000Z")),
            // A different decision, however recent.
            (key("advertising"), current(Granted, "2026-07-01T00:00:00.000Z")),
        ]);
        assert_eq!(
            moves(&adopted, &device),
            Decisions::from([
                (key("functional"), Granted),
                (key("advertising"), Denied),
                (key("marketing_communications"), Denied),
            ])
        );
        assert!(moves(&adopted, &BTreeMap::new()).len() == adopted.len());
    }

    #[test]
    fn gpc_keeps_a_covered_purpose_from_being_adopted_as_granted() {
        let now = datetime!(2026-12-01 00:00 UTC);
        let at = "2026-11-01T00:00:00.000Z";
        let granted = AccountDecisions::from([
            (key("advertising"), held(Granted, at)),
            (key("analytics"), held(Granted, at)),
        ]);
        let adopted = adoptable(&demo(), &granted, true, now);
        assert_eq!(adopted.keys().collect::<Vec<_>>(), [&key("analytics")]);
        let denied = AccountDecisions::from([(key("advertising"), held(Denied, at))]);
        assert_eq!(adoptable(&demo(), &denied, true, now), denied);
    }
}
