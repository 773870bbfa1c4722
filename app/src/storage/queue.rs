//! The events not yet acknowledged by the server, one `localStorage` item each
//! (`<key>.queue.<event_id>`) rather than one list inside the stored choice.
//!
//! Why one item per event: tabs of a site see each other's writes late (each renderer keeps
//! its own copy of storage), so a list rewritten by two tabs at once keeps only the last
//! writer's copy, and a tab reloaded in that instant lost its event. An item is written once,
//! by the tab that queued it, and removed once, by the tab that got it acknowledged: no
//! write of one tab can take away another's event. Whoever holds the site's Web Lock sends
//! every queued event — its own, other tabs', and those of tabs closed since — and the
//! server's idempotency (same `event_id`, same body) makes a second send of one harmless.
//!
//! Where the browser refuses storage (or it is full), the event waits in this page's memory
//! instead, and is sent the same way for as long as the page lives.

use std::cell::{Cell, RefCell};
use wasm_bindgen::JsValue;

/// One queued `ConsentRequest` (the JS object it was serialized to) and its place in the queue.
#[derive(Debug, Clone)]
pub struct Queued {
    pub event_id: String,
    pub request: JsValue,
    /// When it was queued (ms since the epoch, strictly increasing within a page): the order
    /// events are sent in.
    at: f64,
    /// It was sent at least once without a `subject_id`, so it may have created the subject
    /// (and only its lost answer carries the subject's token): it is sent before anything else,
    /// exactly as it was, so the replay answers that subject instead of a second one starting.
    sent_without_subject: bool,
}

thread_local! {
    static LAST_AT: Cell<f64> = const { Cell::new(0.0) };
    /// Events storage would not take.
    static MEMORY: RefCell<Vec<Queued>> = const { RefCell::new(Vec::new()) };
}

fn item_prefix(key: &str) -> String {
    format!("{key}.queue.")
}

fn get(object: &JsValue, field: &str) -> JsValue {
    js_sys::Reflect::get(object, &field.into()).unwrap_or(JsValue::UNDEFINED)
}

fn set(object: &JsValue, field: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &field.into(), value);
}

impl Queued {
    fn to_json(&self) -> String {
        let item = js_sys::Object::new();
        set(&item, "at", &self.at.into());
        set(&item, "sent_without_subject", &self.sent_without_subject.into());
        set(&item, "request", &self.request);
        crate::json::stringify(&item)
    }

    fn from_json(event_id: &str, raw: &str) -> Option<Self> {
        let item = js_sys::JSON::parse(raw).ok()?;
        let request = get(&item, "request");
        request.is_object().then(|| Self {
            event_id: event_id.to_owned(),
            at: get(&item, "at").as_f64().unwrap_or(0.0),
            sent_without_subject: get(&item, "sent_without_subject").as_bool().unwrap_or(false),
            request,
        })
    }

    /// Whether the request names its subject.
    fn has_subject(&self) -> bool {
        get(&self.request, "subject_id").is_string()
    }

    /// Writes this item (storage first; this page's memory where storage refuses it).
    fn write(&self, key: &str) {
        let stored = super::local_storage().is_some_and(|s| {
            s.set_item(&format!("{}{}", item_prefix(key), self.event_id), &self.to_json())
                .is_ok()
        });
        MEMORY.with_borrow_mut(|memory| {
            memory.retain(|q| q.event_id != self.event_id);
            if !stored {
                memory.push(self.clone());
            }
        });
    }
}

/// Queues a request (`ConsentRequest` as a JS object) under its `event_id`, after every
/// event queued so far.
pub fn push(key: &str, event_id: &str, request: JsValue) {
    let now = js_sys::Date::now();
    let at = LAST_AT.with(|last| {
        let at = now.max(last.get() + 0.001);
        last.set(at);
        at
    });
    Queued {
        event_id: event_id.to_owned(),
        request,
        at,
        sent_without_subject: false,
    }
    .write(key);
}

/// Every queued event of the site, in the order to send them: first any that may have
/// created the subject, then by when they were queued.
pub fn all(key: &str) -> Vec<Queued> {
    let prefix = item_prefix(key);
    let mut queue: Vec<Queued> = MEMORY.with_borrow(Clone::clone);
    if let Some(storage) = super::local_storage() {
        let mut garbage = Vec::new();
        let len = storage.length().unwrap_or(0);
        for name in (0..len).filter_map(|i| storage.key(i).ok().flatten()) {
            let Some(event_id) = name.strip_prefix(&prefix) else {
                continue;
            };
            if queue.iter().any(|q| q.event_id == event_id) {
                continue;
            }
            match storage
                .get_item(&name)
                .ok()
                .flatten()
                .and_then(|raw| Queued::from_json(event_id, &raw))
            {
                Some(item) => queue.push(item),
                // Unreadable, it can never be sent; left there, it would make every page view
                // load the banner for it.
                None => garbage.push(name),
            }
        }
        for name in garbage {
            let _ = storage.remove_item(&name);
        }
    }
    queue.sort_by(|a, b| {
        b.sent_without_subject
            .cmp(&a.sent_without_subject)
            .then(a.at.total_cmp(&b.at))
            .then_with(|| a.event_id.cmp(&b.event_id))
    });
    queue
}

/// Gets `item` ready to send with the subject this device knows (`None` before the first
/// acknowledgement), and stores that before it goes: an event without a subject joins the
/// known one; sent without one, it is marked as possibly having created the subject. Either
/// way every later send of it carries the same body.
pub fn prepare(key: &str, item: &mut Queued, subject: Option<&str>) {
    if item.has_subject() || item.sent_without_subject {
        return;
    }
    match subject {
        Some(subject) => set(&item.request, "subject_id", &subject.into()),
        None => item.sent_without_subject = true,
    }
    item.write(key);
}

/// Removes an event the server acknowledged or refused for good.
pub fn remove(key: &str, event_id: &str) {
    if let Some(storage) = super::local_storage() {
        let _ = storage.remove_item(&format!("{}{event_id}", item_prefix(key)));
    }
    MEMORY.with_borrow_mut(|memory| memory.retain(|q| q.event_id != event_id));
}

/// Removes every queued event (after an erasure).
pub fn clear(key: &str) {
    for item in all(key) {
        remove(key, &item.event_id);
    }
}
