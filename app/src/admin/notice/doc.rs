//! The draft as the editor holds it: one JSON document, read and written by path. A form field
//! names its place in the notice the way the API's findings and errors do
//! (`purposes[2].texts.de.title`), so a finding shows beside the field it is about, and what a
//! person types is kept even when it is not yet a valid notice (a purpose key with a space):
//! the server says what is wrong, the editor never drops the text.

use serde_json::{Map, Value};

/// One step into the document: an object member or an array item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A place in the notice, from its root.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Path(Vec<Seg>);

impl Path {
    /// The notice itself.
    pub fn root() -> Self {
        Self::default()
    }

    /// The member `key` of this object.
    pub fn key(&self, key: &str) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_owned()));
        Self(segs)
    }

    /// Item `index` of this array.
    pub fn index(&self, index: usize) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        Self(segs)
    }

    /// The path as the API's findings and errors name fields: `purposes[2].texts.de.title`.
    pub fn name(&self) -> String {
        let mut out = String::new();
        for seg in &self.0 {
            match seg {
                Seg::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// The id of the element that edits this place (letters, digits and `-` only).
    pub fn dom_id(&self) -> String {
        dom_id(&self.name())
    }
}

/// The element id for a field named as the API names it.
pub fn dom_id(name: &str) -> String {
    let mut id = String::from("nf-");
    for c in name.chars() {
        id.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    id
}

/// The value at `path`, if there is one.
pub fn get<'a>(doc: &'a Value, path: &Path) -> Option<&'a Value> {
    path.0.iter().try_fold(doc, |value, seg| match seg {
        Seg::Key(key) => value.get(key.as_str()),
        Seg::Index(i) => value.get(*i),
    })
}

fn get_mut<'a>(doc: &'a mut Value, path: &Path) -> Option<&'a mut Value> {
    path.0.iter().try_fold(doc, |value, seg| match seg {
        Seg::Key(key) => value.get_mut(key.as_str()),
        Seg::Index(i) => value.get_mut(*i),
    })
}

/// Puts `new` at `path`, making the objects on the way that are missing (a language's first
/// text). An array item that does not exist is left alone: lists grow by [`push`] only.
pub fn set(doc: &mut Value, path: &Path, new: Value) {
    let mut value = doc;
    for seg in &path.0 {
        value = match seg {
            Seg::Key(key) => {
                if !value.is_object() {
                    *value = Value::Object(Map::new());
                }
                let Value::Object(map) = value else { return };
                map.entry(key.clone()).or_insert(Value::Null)
            }
            Seg::Index(i) => match value.get_mut(*i) {
                Some(item) => item,
                None => return,
            },
        };
    }
    *value = new;
}

/// Removes the member at `path` (an optional field cleared, a language's word override
/// emptied), so the draft says nothing rather than an empty value.
pub fn remove(doc: &mut Value, path: &Path) {
    let Some((Seg::Key(key), parent)) = path.0.split_last() else {
        return;
    };
    if let Some(Value::Object(map)) = get_mut(doc, &Path(parent.to_vec())) {
        map.remove(key);
    }
}

/// Appends `item` to the array at `path` (made when missing); returns the new item's index.
pub fn push(doc: &mut Value, path: &Path, item: Value) -> usize {
    if !matches!(get(doc, path), Some(Value::Array(_))) {
        set(doc, path, Value::Array(Vec::new()));
    }
    match get_mut(doc, path) {
        Some(Value::Array(items)) => {
            items.push(item);
            items.len() - 1
        }
        _ => 0,
    }
}

/// Removes item `index` of the array at `path`.
pub fn remove_item(doc: &mut Value, path: &Path, index: usize) {
    if let Some(Value::Array(items)) = get_mut(doc, path)
        && index < items.len()
    {
        items.remove(index);
    }
}

/// Swaps items `a` and `b` of the array at `path` (moving a purpose up or down).
pub fn swap(doc: &mut Value, path: &Path, a: usize, b: usize) {
    if let Some(Value::Array(items)) = get_mut(doc, path)
        && a < items.len()
        && b < items.len()
    {
        items.swap(a, b);
    }
}

/// How many items the array at `path` has (0 when it is missing).
pub fn len(doc: &Value, path: &Path) -> usize {
    get(doc, path).and_then(Value::as_array).map_or(0, Vec::len)
}

/// The member names of the object at `path`, in the document's order (sorted: the server
/// keeps maps sorted).
pub fn keys(doc: &Value, path: &Path) -> Vec<String> {
    get(doc, path)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The document as `(field name, value)` leaves, for comparing two versions: scalars as JSON
/// text, empty arrays and objects as `[]` / `{}` so their appearance shows too.
pub fn leaves(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(doc, &Path::root(), &mut out);
    out
}

fn walk(value: &Value, at: &Path, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                walk(item, &at.key(key), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &at.index(i), out);
            }
        }
        Value::String(s) => out.push((at.name(), s.clone())),
        other => out.push((at.name(), other.to_string())),
    }
}

/// One difference between two versions of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    /// The older value; `None` when the field is new.
    pub before: Option<String>,
    /// The newer value; `None` when the field went away.
    pub after: Option<String>,
}

/// What changed from `old` to `new`, field by field, in the newer version's order (then what
/// only the older one had). `version`, `material_change` and `change_summary` are left out:
/// they describe a publication, not its content.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let skip = |field: &str| field == "version" || field == "material_change" || field.starts_with("change_summary");
    let before: std::collections::BTreeMap<String, String> = leaves(old).into_iter().collect();
    let after = leaves(new);
    let mut seen = std::collections::BTreeSet::new();
    let mut changes = Vec::new();
    for (field, value) in &after {
        seen.insert(field.clone());
        if skip(field) {
            continue;
        }
        match before.get(field) {
            Some(old) if old == value => {}
            old => changes.push(Change {
                field: field.clone(),
                before: old.cloned(),
                after: Some(value.clone()),
            }),
        }
    }
    for (field, value) in &before {
        if !seen.contains(field) && !skip(field) {
            changes.push(Change {
                field: field.clone(),
                before: Some(value.clone()),
                after: None,
            });
        }
    }
    changes
}
