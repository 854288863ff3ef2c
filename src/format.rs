//! Small text formatting shared by views, and the app's one date-time
//! format ([`date_time`], [`DateTime`]).

use leptos::prelude::*;
use prescan_core::analysis::time::format_rfc3339;

/// An `Intl.DateTimeFormat` of the browser's locale and time zone with
/// these `dateStyle` and `timeStyle`, as a function of a `Date`.
fn intl_format(date_style: &str, time_style: &str) -> js_sys::Function {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &date_style.into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &time_style.into());
    js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options).format()
}

fn apply(f: &js_sys::Function, ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    f.call1(&wasm_bindgen::JsValue::UNDEFINED, &date)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| format_rfc3339(ms))
}

/// A date and time for people, the one format of the whole app: the
/// browser's locale and time zone, medium date and short time
/// ("Dec 4, 2026, 7:51 PM" in en-US, "4 Dec 2026, 19:51" in en-GB).
pub fn date_time(ms: i64) -> String {
    thread_local! {
        static FORMAT: js_sys::Function = intl_format("medium", "short");
    }
    FORMAT.with(|f| apply(f, ms))
}

/// The same date and time in full, with seconds and the time zone (for a
/// `title`): "Friday, December 4, 2026 at 7:51:28 PM GMT+1".
pub fn date_time_full(ms: i64) -> String {
    thread_local! {
        static FORMAT: js_sys::Function = intl_format("full", "long");
    }
    FORMAT.with(|f| apply(f, ms))
}

/// A date and time as the app shows them everywhere: a `<time>` with the
/// machine-readable date, [`date_time`] as its text and [`date_time_full`]
/// (with the time zone) on hover.
#[component]
pub fn DateTime(ms: i64) -> impl IntoView {
    view! { <time datetime=format_rfc3339(ms) title=date_time_full(ms)>{date_time(ms)}</time> }
}

/// `1223` → `"1,223"` (as the core writes counts in its messages).
pub fn thousands(n: usize) -> String {
    prescan_core::limits::thousands(n as u64)
}

/// `n` and the noun that goes with it: `1 error`, `0 errors`, `1,200 errors`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    prescan_core::text::count(n as u64, one, many)
}

/// A byte count for people: `512 bytes`, `13.2 KB`, `12.9 MB`.
pub fn bytes(n: usize) -> String {
    match n {
        0..=1023 => count(n, "byte", "bytes"),
        1024..=1_048_575 => format!("{:.1} KB", n as f64 / 1024.0),
        _ => format!("{:.1} MB", n as f64 / 1_048_576.0),
    }
}

/// A duration for people: `85 ms`, `1.4 s`.
pub fn millis(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{} ms", ms.round() as u64)
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

/// The file name a HAR download gets: the specification's name with its
/// extension replaced by `.har`.
pub fn har_file_name(spec_file_name: &str) -> String {
    let stem = match spec_file_name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => spec_file_name,
    };
    let stem = if stem.is_empty() {
        "specification"
    } else {
        stem
    };
    format!("{stem}.har")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1223), "1,223");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(0, "match", "matches"), "0 matches");
        assert_eq!(count(1, "match", "matches"), "1 match");
        assert_eq!(count(1223, "endpoint", "endpoints"), "1,223 endpoints");
    }

    #[test]
    fn bytes_and_millis_read_naturally() {
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(count(1, "note", "notes"), "1 note");
        assert_eq!(count(1_200, "note", "notes"), "1,200 notes");
        assert_eq!(bytes(2048), "2.0 KB");
        assert_eq!(bytes(13 * 1_048_576), "13.0 MB");
        assert_eq!(millis(85.4), "85 ms");
        assert_eq!(millis(1400.0), "1.4 s");
    }

    #[test]
    fn har_name_replaces_the_extension() {
        assert_eq!(har_file_name("petstore.yaml"), "petstore.har");
        assert_eq!(har_file_name("api.github.com.json"), "api.github.com.har");
        assert_eq!(har_file_name("spec"), "spec.har");
        assert_eq!(har_file_name(".yaml"), ".yaml.har");
        assert_eq!(har_file_name(""), "specification.har");
    }
}
