//! One encoder and decoder for every US state section, driven by [`super::layouts`]: a
//! [`StateSection`] holds a value per field of its state's layout.

use super::super::bits::{Bits, Reader};
use super::UsState;
use super::layouts::{Field, Kind, Layout};
use super::string::Section;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// A field's value: `Int` for Int(n) fields (notices, opt-outs: 0 not applicable, 1 yes /
/// opted out / no consent, 2 no / did not opt out / consent, as each field's spec says),
/// `Bool` for `Gpc`, `List` for N-Bitfield(2, n) fields. On the wire a number, a boolean or an
/// array of numbers, as the CMP API returns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Int(u8),
    List(Vec<u8>),
}

/// Why [`StateSection::set`] refused a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("{field:?} is not a field of GPP section {section}")]
    NotInSection { field: Field, section: &'static str },
    #[error("{0:?} is fixed by the section's version")]
    Fixed(Field),
    #[error("{value:?} is not a value of {field:?} (wrong kind, too wide, or wrong length)")]
    Invalid { field: Field, value: Value },
}

/// The longest section part (core or subsection) a decoder reads: far above the longest a
/// layout writes (usnat's core is 12 characters), so hostile text never becomes a large bit
/// vector.
const MAX_PART_CHARS: usize = 64;

/// A US state's GPP section: a value for each field of its layout, and its optional
/// subsection (GPC, or the newer layout's Sensitive Data Consents) when written. Serializes
/// to `{"Version": 1, "SaleOptOutNotice": 1, …, "Gpc": true}`: the field names of IAB's CMP
/// API in string order, the subsection's only when it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSection {
    state: UsState,
    core: Vec<Value>,
    subsection: Option<Vec<Value>>,
}

impl StateSection {
    /// Every field at its default: the section version, MspaCoveredTransaction 2 (not an MSPA
    /// covered transaction, as [`super::UsNat::default`]), everything else 0 or false, and no
    /// subsection.
    pub fn new(state: UsState) -> Self {
        let layout = state.layout();
        let defaults = |fields: &[(Field, Kind)]| fields.iter().map(|f| default(layout, *f)).collect();
        Self {
            state,
            core: defaults(layout.core),
            subsection: None,
        }
    }

    pub fn state(&self) -> UsState {
        self.state
    }

    /// Whether the state's layout has `field` (in its core or its subsection).
    pub fn has(&self, field: Field) -> bool {
        self.state.layout().kind(field).is_some()
    }

    /// The value of `field`; `None` if the layout has no such field or it is in a subsection
    /// that is not written.
    pub fn get(&self, field: Field) -> Option<&Value> {
        let layout = self.state.layout();
        if let Some(i) = position(layout.core, field) {
            return self.core.get(i);
        }
        let i = position(layout.subsection.as_ref()?.fields, field)?;
        self.subsection.as_ref()?.get(i)
    }

    /// Sets `field`; a subsection field makes the subsection written (the others at default).
    ///
    /// # Errors
    /// [`FieldError::NotInSection`] if the layout has no such field; [`FieldError::Fixed`] to
    /// change `Version` / `MspaVersion`; [`FieldError::Invalid`] for a value of the wrong
    /// kind, wider than the field, or a list of the wrong length.
    pub fn set(&mut self, field: Field, value: Value) -> Result<(), FieldError> {
        let layout = self.state.layout();
        let not_in_section = FieldError::NotInSection {
            field,
            section: layout.name,
        };
        let (slot, kind) = if let Some(i) = position(layout.core, field) {
            (&mut self.core[i], layout.core[i].1)
        } else {
            let sub = layout.subsection.as_ref().ok_or(not_in_section.clone())?;
            let i = position(sub.fields, field).ok_or(not_in_section)?;
            let values = self
                .subsection
                .get_or_insert_with(|| sub.fields.iter().map(|f| default(layout, *f)).collect());
            (&mut values[i], sub.fields[i].1)
        };
        if matches!(field, Field::Version | Field::MspaVersion) && *slot != value {
            return Err(FieldError::Fixed(field));
        }
        if !fits(kind, &value) {
            return Err(FieldError::Invalid { field, value });
        }
        *slot = value;
        Ok(())
    }

    /// `core[.subsection]`, each part base64url padded as IAB's reference library pads it.
    pub fn encode(&self) -> String {
        let layout = self.state.layout();
        let mut out = write(None, layout.core, &self.core);
        if let (Some(sub), Some(values)) = (&layout.subsection, &self.subsection) {
            out.push('.');
            out.push_str(&write(sub.subsection_type, sub.fields, values));
        }
        out
    }

    /// The section `state`'s layout reads from `section`, or `None` if a part is not
    /// base64url, longer than 64 characters, cut short, of another version, or a subsection
    /// the layout does not have (or of another `SubsectionType`). Padding bits are ignored.
    pub fn decode(state: UsState, section: &str) -> Option<Self> {
        let layout = state.layout();
        let mut parts = section.split('.');
        let core = read(None, layout.core, parts.next()?)?;
        let version = Value::Int(layout.version);
        if core.first() != Some(&version) {
            return None;
        }
        let subsection = match parts.next() {
            Some(part) => {
                let sub = layout.subsection.as_ref()?;
                Some(read(sub.subsection_type, sub.fields, part)?)
            }
            None => None,
        };
        parts.next().is_none().then_some(Self {
            state,
            core,
            subsection,
        })
    }
}

impl Section for StateSection {
    fn id(&self) -> u64 {
        self.state.id()
    }

    fn encode(&self) -> String {
        StateSection::encode(self)
    }
}

impl Serialize for StateSection {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let layout = self.state.layout();
        let sub = layout.subsection.as_ref().map_or(&[][..], |s| s.fields);
        let sub_values = self.subsection.as_deref().unwrap_or_default();
        let mut map = serializer.serialize_map(None)?;
        for ((field, _), value) in layout.core.iter().zip(&self.core).chain(sub.iter().zip(sub_values)) {
            map.serialize_entry(field, value)?;
        }
        map.end()
    }
}

fn position(fields: &[(Field, Kind)], field: Field) -> Option<usize> {
    fields.iter().position(|(f, _)| *f == field)
}

fn default(layout: &Layout, (field, kind): (Field, Kind)) -> Value {
    match (field, kind) {
        (Field::Version | Field::MspaVersion, _) => Value::Int(layout.version),
        (Field::MspaCoveredTransaction, _) => Value::Int(2),
        (_, Kind::Int(_)) => Value::Int(0),
        (_, Kind::Bool) => Value::Bool(false),
        (_, Kind::List(entries)) => Value::List(vec![0; entries]),
    }
}

fn fits(kind: Kind, value: &Value) -> bool {
    match (kind, value) {
        (Kind::Int(bits), Value::Int(v)) => u32::from(*v) >> bits == 0,
        (Kind::Bool, Value::Bool(_)) => true,
        (Kind::List(entries), Value::List(vs)) => vs.len() == entries && vs.iter().all(|v| *v < 4),
        _ => false,
    }
}

/// One part: its `SubsectionType` (where it has one), then each field. Values that do not fit
/// cannot be in a section ([`StateSection::set`] refuses them).
fn write(subsection_type: Option<u64>, fields: &[(Field, Kind)], values: &[Value]) -> String {
    let mut bits = Bits::default();
    if let Some(t) = subsection_type {
        bits.int(t, 2);
    }
    for ((_, kind), value) in fields.iter().zip(values) {
        match (kind, value) {
            (Kind::Int(width), Value::Int(v)) => bits.int(u64::from(*v), *width),
            (Kind::Bool, Value::Bool(b)) => bits.bool(*b),
            (Kind::List(_), Value::List(vs)) => vs.iter().for_each(|v| bits.int(u64::from(*v), 2)),
            _ => unreachable!("set() keeps every value of its field's kind"),
        }
    }
    bits.to_base64url()
}

/// [`write`] read back; `None` as [`StateSection::decode`] says.
fn read(subsection_type: Option<u64>, fields: &[(Field, Kind)], part: &str) -> Option<Vec<Value>> {
    if part.len() > MAX_PART_CHARS {
        return None;
    }
    let mut r = Reader::from_base64url(part)?;
    if let Some(t) = subsection_type
        && r.int(2)? != t
    {
        return None;
    }
    fields
        .iter()
        .map(|(_, kind)| {
            // Widths are at most 6 bits: every integer fits a `u8`.
            let int = |r: &mut Reader, width| r.int(width).and_then(|v| u8::try_from(v).ok());
            Some(match kind {
                Kind::Int(width) => Value::Int(int(&mut r, *width)?),
                Kind::Bool => Value::Bool(r.bool()?),
                Kind::List(entries) => Value::List((0..*entries).map(|_| int(&mut r, 2)).collect::<Option<_>>()?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_refuses_hostile_or_foreign_text() {
        let long = format!("B{}", "A".repeat(MAX_PART_CHARS));
        for (state, refused) in [
            (UsState::Ca, ""),
            (UsState::Ca, "BAAA!ABA"),
            (UsState::Ca, "BAAA"),
            (UsState::Ca, "CAAAAAAAAABA"),
            (UsState::Ca, "BAAAAABA.oA"),
            (UsState::Ca, "BAAAAABA.QA.QA"),
            (UsState::Ca, "BAAAAABA."),
            (UsState::Ca, long.as_str()),
            (UsState::Va, "BAAAAABA.QA"),
            (UsState::Md, "AAAA"),
            (UsState::In, "BgCV.V"),
        ] {
            assert_eq!(StateSection::decode(state, refused), None, "{state:?} {refused:?}");
        }
        let ca = StateSection::decode(UsState::Ca, "BAAAAABA.QA").expect("the reference library's defaults");
        assert_eq!(ca.get(Field::Gpc), Some(&Value::Bool(false)));
        assert_eq!(ca.get(Field::MspaCoveredTransaction), Some(&Value::Int(1)));
    }

    #[test]
    fn set_refuses_what_the_layout_cannot_hold() {
        let mut ca = StateSection::new(UsState::Ca);
        let refusals = [
            (Field::SharingNotice, Value::Int(1), "not a field of GPP section usca"),
            (Field::Version, Value::Int(2), "fixed"),
            (Field::SaleOptOut, Value::Int(4), "not a value"),
            (Field::SaleOptOut, Value::Bool(true), "not a value"),
            (Field::SensitiveDataProcessing, Value::List(vec![0; 8]), "not a value"),
            (
                Field::KnownChildSensitiveDataConsents,
                Value::List(vec![0, 4]),
                "not a value",
            ),
        ];
        for (field, value, why) in refusals {
            let error = ca.set(field, value).expect_err("refused").to_string();
            assert!(error.contains(why), "{field:?}: {error}");
        }
        assert_eq!(ca, StateSection::new(UsState::Ca), "nothing changed");
        assert_eq!(ca.set(Field::Version, Value::Int(1)), Ok(()), "the version it has");
    }

    #[test]
    fn a_subsection_is_written_once_one_of_its_fields_is_set() {
        let mut ca = StateSection::new(UsState::Ca);
        assert_eq!((ca.get(Field::Gpc), ca.encode().contains('.')), (None, false));
        let json = serde_json::to_value(&ca).expect("json");
        assert_eq!((json["Version"].as_u64(), json.get("Gpc")), (Some(1), None));
        ca.set(Field::Gpc, Value::Bool(true)).expect("usca has GPC");
        assert_eq!(serde_json::to_value(&ca).expect("json")["Gpc"], true);
        assert_eq!(StateSection::decode(UsState::Ca, &ca.encode()), Some(ca));
    }
}
