//! The editor's state: the draft document, its findings, the language being edited, and the
//! save that follows each edit (`PUT /v1/admin/sites/{site}/draft`, [`AUTOSAVE_DELAY_MS`] after
//! the last keystroke). A save the server refuses (a shape it cannot take) keeps what was
//! typed and says why beside the field; the next edit tries again.

use super::doc::{self, Path};
use crate::admin::Dashboard;
use crate::admin::client::{self, Failure};
use assent_shared::lint::{Finding, Severity};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// How long after the last edit the draft is saved, in milliseconds.
pub const AUTOSAVE_DELAY_MS: u64 = 700;

/// How long after a save that got no answer (or 503) it is tried again, in milliseconds.
pub const RETRY_MS: u64 = 5_000;

/// `GET`/`PUT /v1/admin/sites/{site}/draft` as the editor reads it: the notice as a document
/// (see [`doc`]), the rest as the API gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct DraftDoc {
    pub notice: Value,
    pub updated_at: String,
    pub updated_by: String,
    pub revision: String,
    pub findings: Vec<Finding>,
}

/// Where the draft's saving stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Save {
    /// Everything typed is saved (at this time, by this person).
    Saved {
        at: String,
        by: String,
    },
    /// Edits wait for the pause that saves them.
    Pending,
    Saving,
    /// The server refused the last save; what was typed is still here.
    Refused(Failure),
}

/// The editor, shared by its sections through the context.
#[derive(Debug, Clone, Copy)]
pub struct Editor {
    pub dashboard: Dashboard,
    pub site: StoredValue<String>,
    /// The draft notice as typed.
    pub doc: RwSignal<Value>,
    /// The findings of the last save (validation first, then the lint).
    pub findings: RwSignal<Vec<Finding>>,
    /// Why the server refused the last save, as a finding on the field it named.
    pub refused: RwSignal<Option<Finding>>,
    /// The language whose texts the form shows.
    pub lang: RwSignal<String>,
    /// Owners edit; viewers read.
    pub editable: bool,
    /// Moves when items are added, removed or reordered, or a language comes or goes: the lists
    /// are drawn again (fields hold what they show, so they are not redrawn on each keystroke).
    pub structure: RwSignal<u64>,
    pub save: RwSignal<Save>,
    /// The draft's revision as last saved (sent with a publication).
    pub revision: RwSignal<String>,
    /// Moves after each save of a draft that validates: the preview reloads.
    pub previewable: RwSignal<u64>,
    /// The IAB TCF section is on the page (the server speaks TCF, or the draft uses it).
    pub tcf_shown: RwSignal<bool>,
    edits: RwSignal<u64>,
    in_flight: RwSignal<bool>,
}

impl Editor {
    pub fn new(dashboard: Dashboard, site: String, draft: DraftDoc, editable: bool) -> Self {
        let lang = draft
            .notice
            .get("default_language")
            .and_then(Value::as_str)
            .unwrap_or("en")
            .to_owned();
        Self {
            dashboard,
            site: StoredValue::new(site),
            doc: RwSignal::new(draft.notice),
            findings: RwSignal::new(draft.findings),
            refused: RwSignal::new(None),
            lang: RwSignal::new(lang),
            editable,
            structure: RwSignal::new(0),
            save: RwSignal::new(Save::Saved {
                at: draft.updated_at,
                by: draft.updated_by,
            }),
            revision: RwSignal::new(draft.revision),
            previewable: RwSignal::new(0),
            tcf_shown: RwSignal::new(false),
            edits: RwSignal::new(0),
            in_flight: RwSignal::new(false),
        }
    }

    /// The draft's path in the admin API.
    pub fn draft_path(&self) -> String {
        format!("{}/draft", crate::admin::site::site_path(&self.site.get_value()))
    }

    /// The value at `path` now, without tracking it (a field reads its start value once).
    pub fn value(&self, path: &Path) -> Value {
        self.doc
            .with_untracked(|d| doc::get(d, path).cloned())
            .unwrap_or(Value::Null)
    }

    /// A field's edit: `new` at `path` (`None` removes the member), then the save follows.
    pub fn write(&self, path: &Path, new: Option<Value>) {
        self.doc.update(|d| match new {
            Some(value) => doc::set(d, path, value),
            None => doc::remove(d, path),
        });
        self.edited();
    }

    /// An edit of the document's structure (an item added, removed or moved): the lists are
    /// drawn again, then the save follows.
    pub fn restructure(&self, change: impl FnOnce(&mut Value)) {
        self.doc.update(change);
        self.structure.update(|n| *n += 1);
        self.edited();
    }

    fn edited(&self) {
        self.edits.update(|n| *n += 1);
        self.save.set(Save::Pending);
        let at = self.edits.get_untracked();
        let this = *self;
        set_timeout(
            move || {
                // The editor may be gone (another screen): then its last edits are flushed by
                // `flush` from its cleanup.
                if this.edits.try_get_untracked() == Some(at) {
                    this.save_now();
                }
            },
            Duration::from_millis(AUTOSAVE_DELAY_MS),
        );
    }

    /// Saves now what is typed. One save at a time: edits made meanwhile are saved after it.
    pub fn save_now(&self) {
        if self.in_flight.get_untracked() {
            return;
        }
        self.in_flight.set(true);
        self.save.set(Save::Saving);
        let at = self.edits.get_untracked();
        let body = self.doc.get_untracked();
        let path = self.draft_path();
        let revision = self.revision.get_untracked();
        let this = *self;
        spawn_local(async move {
            // Only over the revision this editor read: another tab's save is never overwritten.
            let outcome = client::send_if::<DraftDoc, _>("PUT", &path, &body, Some(&revision)).await;
            if this.in_flight.try_set(false).is_some() {
                return;
            }
            this.saved(outcome, at);
        });
    }

    fn saved(self, outcome: Result<DraftDoc, Failure>, at: u64) {
        match outcome {
            Ok(draft) => {
                self.revision.set(draft.revision);
                let valid = !draft.findings.iter().any(|f| f.code == "invalid");
                self.findings.set(draft.findings);
                self.refused.set(None);
                if valid {
                    self.previewable.update(|n| *n += 1);
                }
                if self.edits.get_untracked() == at {
                    self.save.set(Save::Saved {
                        at: draft.updated_at,
                        by: draft.updated_by,
                    });
                } else {
                    self.save_now();
                }
            }
            Err(failure) => {
                if self.dashboard.session_over(&failure) {
                    return;
                }
                // No answer (or Assent briefly unavailable): what was typed is kept here and
                // sent again until it is saved.
                if failure.status == 0 || failure.status == 503 {
                    let this = self;
                    set_timeout(
                        move || {
                            if matches!(this.save.try_get_untracked(), Some(Save::Refused(_))) {
                                this.save_now();
                            }
                        },
                        Duration::from_millis(RETRY_MS),
                    );
                }
                self.refused.set(failure.field.as_ref().map(|(field, reason)| Finding {
                    code: "invalid".into(),
                    severity: Severity::Error,
                    field: field.clone(),
                    message: reason.clone(),
                }));
                self.save.set(Save::Refused(failure));
            }
        }
    }

    /// Saves edits that still wait, without waiting for the answer (the editor is closing).
    pub fn flush(&self) {
        if self.save.try_get_untracked() == Some(Save::Pending) {
            let body = self.doc.get_untracked();
            let path = self.draft_path();
            let revision = self.revision.get_untracked();
            spawn_local(async move {
                let _ = client::send_if::<DraftDoc, _>("PUT", &path, &body, Some(&revision)).await;
            });
        }
    }

    /// Whether what is typed here is not (yet) on the server.
    pub fn unsaved(&self) -> bool {
        !matches!(self.save.try_get_untracked(), Some(Save::Saved { .. }) | None)
    }

    /// The findings (and the refusal) about the field named `name`; with `nested`, also those
    /// about what it contains (`purposes[1]` holds `purposes[1].texts.de`).
    pub fn findings_at(&self, name: &str, nested: bool) -> Vec<Finding> {
        let about = |field: &str| {
            field == name
                || (nested
                    && field
                        .strip_prefix(name)
                        .is_some_and(|rest| rest.starts_with(['.', '['])))
        };
        let mut found: Vec<Finding> = self
            .findings
            .with(|all| all.iter().filter(|f| about(&f.field)).cloned().collect());
        if let Some(refused) = self.refused.get().filter(|f| about(&f.field)) {
            found.insert(0, refused);
        }
        found
    }

    /// Whether anything in the draft stops publication now. The change summaries are not the
    /// draft's: they are typed in the publish form and checked again with each publication.
    pub fn blocked(&self) -> bool {
        self.refused.with(Option::is_some)
            || self.findings.with(|all| {
                all.iter()
                    .any(|f| f.severity == Severity::Error && !f.field.starts_with("change_summary"))
            })
    }

    /// The notice's languages (the keys of its `texts`), the default first.
    pub fn languages(&self) -> Vec<String> {
        self.structure.track();
        let (mut tags, default) = self.doc.with_untracked(|d| {
            (
                doc::keys(d, &Path::root().key("texts")),
                d.get("default_language")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            )
        });
        tags.sort_by_key(|t| *t != default);
        tags
    }
}
