//! JSON through the browser's own `JSON.parse` / `JSON.stringify` and serde-wasm-bindgen:
//! no JSON parser or printer is compiled into the banner.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// A value as a plain JS object (maps as objects, not `Map`s, so `JSON.stringify` works).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(value).ok()
}

pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    stringify(&to_js(value))
}

/// `JSON.stringify` of a JS value already built.
pub fn stringify(value: &JsValue) -> String {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    from_js(js_sys::JSON::parse(text).ok()?)
}
